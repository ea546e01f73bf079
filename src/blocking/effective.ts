/**
 * What one OPD blocks right now: the contract between the blocking service (lists, policy,
 * exceptions) and the router enforcement that turns it into RouterOS desired state.
 */
export interface EffectiveDomain {
  /** Punycode, lowercase, no trailing dot. */
  name: string;
  /** True for a wildcard entry: the name itself and every name under it. */
  subdomains: boolean;
  category: string;
}

export interface EffectiveBlocklist {
  opd: string;
  /** Sorted by name, one per name; a name a wildcard covers is left out. */
  domains: EffectiveDomain[];
  /** Canonical CIDR (`198.51.100.0/24`) or bare address (`203.0.113.7`); sorted, one per value. */
  prefixes: { prefix: string; category: string }[];
  /** Entries of the OPD's categories left out, with why (a protected domain): shown in every router's notes. */
  withheld?: WithheldEntry[];
}

export interface WithheldEntry {
  /** As written in a list: `name` or `*.name`. */
  entry: string;
  category: string;
  reason: string;
}

/** Which OPDs' effective lists changed: their codes, or every OPD. */
export type ChangedOpds = readonly string[] | 'all';
