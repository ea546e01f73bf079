import type { Actor } from '../auth/actor.js';

/** One link of the navigation bar. `label` is a key in namespace `web`. */
export interface NavItem {
  href: string;
  label: string;
  /** Who sees it; absent = every logged-in person. */
  roles?: readonly Actor['role'][];
}

const NOC = ['noc-admin', 'noc-operator', 'viewer'] as const;

/**
 * The navigation, in order. Page authors add their area's line here (one line each), so the bar
 * never links to a page that does not exist.
 */
export const NAV: NavItem[] = [
  { href: '/', label: 'nav.home' },
  { href: '/noc/blocklists', label: 'nav.blocklists', roles: NOC },
  { href: '/noc/routers', label: 'nav.routers', roles: NOC },
  { href: '/noc/backbone', label: 'nav.backbone', roles: NOC },
  { href: '/requests', label: 'nav.requests' },
  { href: '/noc/requests', label: 'nav.nocRequests', roles: NOC },
  { href: '/diagrams', label: 'nav.diagrams', roles: ['opd-admin'] },
  { href: '/noc/compliance', label: 'nav.compliance', roles: NOC },
  { href: '/labels', label: 'nav.labels' },
  { href: '/noc/ipam', label: 'nav.ipam', roles: NOC },
  { href: '/noc/audit', label: 'nav.audit', roles: NOC },
  { href: '/noc/users', label: 'nav.users', roles: ['noc-admin'] },
  { href: '/account', label: 'nav.account' },
];

export const navFor = (actor: Actor): NavItem[] => NAV.filter((n) => !n.roles || n.roles.includes(actor.role));

export const NOC_ROLES = NOC;
