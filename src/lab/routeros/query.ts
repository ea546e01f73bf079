// The RouterOS API query stack: each `?` word pushes a boolean or combines the top of the stack;
// whatever remains on the stack at the end is ANDed together.

export type Item = Readonly<Record<string, string>>;
export type Predicate = (item: Item) => boolean;

export class QueryError extends Error {
  override readonly name = 'QueryError';
}

type Op = (item: Item, stack: boolean[]) => void;

function compare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function pop(stack: boolean[]): boolean {
  const v = stack.pop();
  if (v === undefined) throw new QueryError('query stack underflow');
  return v;
}

function stackOp(ops: string): Op {
  return (_item, stack) => {
    for (const c of ops) {
      if (c === '|' || c === '&') {
        const b = pop(stack);
        const a = pop(stack);
        stack.push(c === '|' ? a || b : a && b);
      } else if (c === '!') {
        stack.push(!pop(stack));
      } else if (c === '.') {
        const top = stack[stack.length - 1];
        if (top === undefined) throw new QueryError('query stack underflow');
        stack.push(top);
      } else if (c >= '0' && c <= '9') {
        // push a copy of the n-th value counted from the bottom
        const v = stack[Number(c)];
        if (v === undefined) throw new QueryError(`no query stack value ${c}`);
        stack.push(v);
      } else {
        throw new QueryError(`unknown query operation ${c}`);
      }
    }
  };
}

function compileWord(word: string): Op {
  const body = word.slice(1);
  if (body.startsWith('#')) return stackOp(body.slice(1));
  const kind = body[0];
  if (kind === '-') {
    const name = body.slice(1);
    return (item, stack) => stack.push(item[name] === undefined);
  }
  if (kind === '<' || kind === '>') {
    const eq = body.indexOf('=', 1);
    if (eq < 0) throw new QueryError(`bad query word ${word}`);
    const name = body.slice(1, eq);
    const value = body.slice(eq + 1);
    return (item, stack) => {
      const v = item[name];
      stack.push(v !== undefined && (kind === '<' ? compare(v, value) < 0 : compare(v, value) > 0));
    };
  }
  // `?name=value`, `?=name=value` (both spellings exist) and `?name` (has the property)
  const rest = kind === '=' ? body.slice(1) : body;
  const eq = rest.indexOf('=');
  if (eq < 0) return (item, stack) => stack.push(item[rest] !== undefined);
  const name = rest.slice(0, eq);
  const value = rest.slice(eq + 1);
  return (item, stack) => stack.push((item[name] ?? '') === value);
}

/** Compiles the `?` words of a sentence into a predicate; no words matches everything. */
export function compileQuery(words: readonly string[]): Predicate {
  const ops = words.map(compileWord);
  if (ops.length === 0) return () => true;
  return (item) => {
    const stack: boolean[] = [];
    for (const op of ops) op(item, stack);
    return stack.every(Boolean);
  };
}
