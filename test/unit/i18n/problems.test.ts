import { describe, expect, it } from 'vitest';
import ts from 'typescript';
import { join, relative } from 'node:path';
import { projectRoot } from '../../../src/common/paths.js';
import { readCatalogs, translator } from '../../../src/i18n/i18n.js';
import { catalogDetail } from '../../../src/http/problem.js';
import { msg, type MessageCode } from '../../../src/labels/messages.js';

/**
 * Every problem code Simpul can answer with, found by the type checker rather than a regex: the
 * `code` argument of anything that builds an AppError (constructors, badRequest, conflict, ...),
 * the `code` of a ProblemInput, and the codes that reach those through a carrier type (a
 * blocking value's `Invalid`). A code argument is a literal, a union of literals (ternaries,
 * `as const` tables, narrowed unions) or a template over one (`ROUTER_${kind}`); anything else
 * must be a pass-through listed below, so a new computed code cannot slip past untranslated.
 */
interface Site {
  file: string;
  line: number;
  codes: string[];
  /** A BilingualError: its text comes from the labels catalog in both languages. */
  bilingual: boolean;
}

/** Types whose `code` property carries problem codes to where an AppError or problem is built. */
const CARRIERS: Record<string, string> = { ProblemInput: 'src/http/problem.ts', Invalid: 'src/blocking/normalize.ts' };

/** Codes built from something other than a literal, with why each is covered. */
const PASS_THROUGH: { file: string; text: string; codes: string[]; why: string }[] = [
  {
    file: 'src/http/problem.ts',
    text: "(err.code ?? 'BAD_REQUEST').replace(/^FST_ERR_/, '')",
    codes: ['BAD_REQUEST'],
    why: "Fastify's other client errors keep Fastify's code; their Indonesian detail is the status sentence",
  },
];

const ROOT = projectRoot();

function scanProblemCodes(): { sites: Site[]; unresolved: string[] } {
  const cfg = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!cfg) throw new Error('tsconfig.json unreadable');
  const program = ts.createProgram(
    cfg.fileNames.filter((f) => relative(ROOT, f).startsWith('src/')),
    { ...cfg.options, noEmit: true },
  );
  const checker = program.getTypeChecker();

  const derives = (t: ts.Type, name: string): boolean => {
    const sym = t.getSymbol();
    if (!sym) return false;
    if (sym.getName() === name) return true;
    if (!(sym.flags & ts.SymbolFlags.Class)) return false;
    return checker.getBaseTypes(t as ts.InterfaceType).some((b) => derives(b, name));
  };
  const isCarrier = (t: ts.Type): boolean => {
    if (t.isUnion() || t.isIntersection()) return t.types.some(isCarrier);
    const decl = t.getSymbol()?.declarations?.[0];
    const name = t.getSymbol()?.getName() ?? '';
    return !!decl && CARRIERS[name] === relative(ROOT, decl.getSourceFile().fileName);
  };
  /** The string literals an expression can be, or null when it is computed. */
  const literals = (node: ts.Expression): string[] | null => {
    if (ts.isTemplateExpression(node)) {
      let out = [node.head.text];
      for (const span of node.templateSpans) {
        let e = span.expression;
        const upper = ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'toUpperCase';
        if (upper) e = ((e as ts.CallExpression).expression as ts.PropertyAccessExpression).expression;
        const parts = literals(e);
        if (!parts) return null;
        out = out.flatMap((o) => parts.map((p) => o + (upper ? p.toUpperCase() : p) + span.literal.text));
      }
      return out;
    }
    const t = checker.getTypeAtLocation(node);
    const members = t.isUnion() ? t.types : [t];
    return members.every((m) => m.isStringLiteral()) ? members.map((m) => (m as ts.StringLiteralType).value) : null;
  };
  /** `x.code` read from an AppError (a rethrow, counted where thrown) or a carrier (counted where filled). */
  const carriedCode = (node: ts.Expression): boolean => {
    if (!ts.isPropertyAccessExpression(node) || node.name.text !== 'code') return false;
    const decl = checker.getSymbolAtLocation(node.name)?.declarations?.[0];
    // A constructor's parameter property (`readonly code: string`) belongs to the class around it.
    const owner = decl && ts.isParameter(decl) ? decl.parent.parent : decl?.parent;
    if (!owner || !(ts.isClassDeclaration(owner) || ts.isInterfaceDeclaration(owner)) || !owner.name) return false;
    const file = relative(ROOT, owner.getSourceFile().fileName);
    return (owner.name.text === 'AppError' && file === 'src/common/errors.ts') || CARRIERS[owner.name.text] === file;
  };

  const sites: Site[] = [];
  const unresolved: string[] = [];
  for (const sf of program.getSourceFiles()) {
    const file = relative(ROOT, sf.fileName);
    if (!file.startsWith('src/')) continue;
    const record = (expr: ts.Expression, bilingual: boolean) => {
      // A factory's own body (badRequest's `new AppError(400, code, ...)`): its callers are the sites.
      const sym = !ts.isIdentifier(expr)
        ? undefined
        : ts.isShorthandPropertyAssignment(expr.parent)
          ? checker.getShorthandAssignmentValueSymbol(expr.parent)
          : checker.getSymbolAtLocation(expr);
      const decl = sym?.valueDeclaration;
      if (decl && ts.isParameter(decl)) return;
      const line = sf.getLineAndCharacterOfPosition(expr.getStart()).line + 1;
      const codes = literals(expr);
      if (codes) return sites.push({ file, line, codes, bilingual });
      if (carriedCode(expr)) return;
      const known = PASS_THROUGH.find((p) => p.file === file && p.text === expr.getText());
      if (known) return sites.push({ file, line, codes: known.codes, bilingual });
      unresolved.push(`${file}:${line}: ${expr.getText()}`);
    };
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
        const sig = checker.getResolvedSignature(node);
        const ret = sig && checker.getReturnTypeOfSignature(sig);
        const at = sig?.parameters.findIndex((p) => p.getName() === 'code') ?? -1;
        const arg = at >= 0 ? node.arguments?.[at] : undefined;
        if (ret && arg && (derives(ret, 'AppError') || isCarrier(ret))) record(arg, derives(ret, 'BilingualError'));
      }
      if (ts.isObjectLiteralExpression(node)) {
        const ctx = checker.getContextualType(node);
        const prop = node.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'code');
        if (ctx && isCarrier(ctx) && prop) {
          if (ts.isPropertyAssignment(prop)) record(prop.initializer, false);
          else if (ts.isShorthandPropertyAssignment(prop)) record(prop.name, false);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { sites, unresolved };
}

const { sites, unresolved } = scanProblemCodes();
const plain = [...new Set(sites.filter((s) => !s.bilingual).flatMap((s) => s.codes))].sort();
const bilingual = [...new Set(sites.filter((s) => s.bilingual).flatMap((s) => s.codes))].sort();
const catalogs = readCatalogs();
/** Code entries of a `problems` catalog: upper-case keys, without their `_field`-style variants. */
const entryCodes = (lang: 'id' | 'en') => Object.keys(catalogs[lang].problems ?? {}).filter((k) => /^[A-Z][A-Z0-9_]*$/.test(k));

describe('problems catalog', () => {
  it('finds codes however they are built: literals, ternaries, tables, templates, carriers', () => {
    expect(unresolved, 'a problem code computed where the scan cannot see its values: make it a literal union or list it in PASS_THROUGH').toEqual([]);
    // One of each way a code is built, so a scan that silently finds less fails here.
    for (const code of [
      'TOKEN_MISSING',
      'VALIDATION_FAILED',
      'ADDRESS_RESERVED',
      'POOL_NAME_TAKEN',
      'ROUTER_UNREACHABLE',
      'PASSWORD_TOO_SHORT',
      'WILDCARD_TOO_BROAD',
      'PROTECTED_DOMAIN',
      'ROUTE_NOT_FOUND',
      'NOT_FOUND',
      'FORBIDDEN',
    ])
      expect(plain, code).toContain(code);
    // Narrowing is honoured: the template's `refused` and `no-endpoint` are answered by their own codes.
    expect(plain).not.toContain('ROUTER_REFUSED');
    expect(plain.length).toBeGreaterThan(130);
  });

  it('every code thrown in src/ has a problems: entry in Bahasa Indonesia and English', () => {
    for (const lang of ['id', 'en'] as const) {
      const have = new Set(entryCodes(lang));
      expect(
        plain.filter((c) => !have.has(c)),
        `${lang}/problems.json lacks`,
      ).toEqual([]);
    }
  });

  it('no entry for a code nothing throws any more', () => {
    const thrown = new Set(plain);
    expect(entryCodes('id').filter((c) => !thrown.has(c))).toEqual([]);
  });

  it("a BilingualError's code has its sentences in the labels catalog instead", () => {
    expect(bilingual.length).toBeGreaterThan(10);
    for (const code of bilingual) {
      const m = msg(code as MessageCode);
      expect(typeof m.id === 'string' && typeof m.en === 'string', code).toBe(true);
    }
  });

  it('both languages of an entry fill in the same values', () => {
    const names = (s: string) => [...s.matchAll(/\{\{([^}]+)\}\}/g)].map((m) => m[1]).sort();
    const flat = (o: Record<string, unknown>, p = ''): [string, string][] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [[p + k, v] as [string, string]] : flat(v as Record<string, unknown>, `${p}${k}.`)));
    const en = new Map(flat(catalogs.en.problems!));
    for (const [k, id] of flat(catalogs.id.problems!)) expect(names(id), k).toEqual(names(en.get(k) ?? ''));
  });
});

describe('catalogDetail', () => {
  const id = translator('id');
  it('fills extras and the field, "none" for a null extra, and lists joined', () => {
    expect(catalogDetail(id, { status: 409, code: 'POOL_EXHAUSTED', detail: 'x', largestFree: '10.0.0.4/30' })).toContain('blok kosong terbesar: 10.0.0.4/30');
    expect(catalogDetail(id, { status: 409, code: 'POOL_EXHAUSTED', detail: 'x', largestFree: null })).toContain('blok kosong terbesar: tidak ada');
    expect(catalogDetail(id, { status: 409, code: 'PREFIX_TAKEN', detail: 'x', conflicts: ['10.0.0.0/24', '10.0.1.0/24'] })).toContain(
      '10.0.0.0/24, 10.0.1.0/24',
    );
    expect(catalogDetail(id, { status: 400, code: 'SIZE_INVALID', detail: 'x', field: 'addresses' })).toContain("Isian 'addresses'");
  });

  it('a sentence needing a value the thrower did not give falls back to the plainer one, then to the status', () => {
    // CIDR_HOST_BITS_SET_field wants the suggestion; this thrower names the field only.
    const t = catalogDetail(id, { status: 400, code: 'CIDR_HOST_BITS_SET', detail: 'x', field: 'prefix' });
    expect(t).toBe(id('problems:CIDR_HOST_BITS_SET'));
    expect(catalogDetail(id, { status: 409, code: 'REQUEST_PENDING', detail: 'x' })).toBe(id('problems:status.409'));
    expect(catalogDetail(id, { status: 405, code: 'METHOD_NOT_ALLOWED', detail: 'x' })).toBe(id('problems:status.405'));
    expect(catalogDetail(id, { status: 418, code: 'TEAPOT', detail: 'x' })).toBe(id('problems:status.other'));
  });
});
