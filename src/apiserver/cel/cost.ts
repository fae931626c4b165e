// A rough runtime cost budget for CEL programs (cel-go's actual cost tracking, simplified): every
// evaluated AST node costs 1 unit, and library functions that walk strings or lists charge their
// length as well. A program run past its limit stops with cel-go's error text,
// `operation cancelled: actual cost limit exceeded`, instead of holding the event loop.
//
// @marcbachmann/cel-js has no cost hook, so a compiled program's AST nodes get an accessor for
// their `evaluate` function that charges the active meter before running the real one (the
// library swaps that function in lazily on first use; the setter keeps it).

/** kube's PerCallLimit (k8s.io/apiserver/pkg/apis/cel): per expression evaluation. */
export const PER_CALL_LIMIT = 1_000_000;
/** kube's RuntimeCELCostBudget: every rule evaluated for one custom resource together. */
export const RUNTIME_COST_BUDGET = 10_000_000;

export const COST_LIMIT_EXCEEDED = 'operation cancelled: actual cost limit exceeded';

export class CostLimitExceeded extends Error {
  constructor() {
    super(COST_LIMIT_EXCEEDED);
    this.name = 'CostLimitExceeded';
  }
}

export class CostMeter {
  used = 0;
  exceeded = false;
  constructor(readonly limit: number = PER_CALL_LIMIT) {}

  charge(units: number): void {
    this.used += units;
    if (this.used > this.limit) {
      this.exceeded = true;
      throw new CostLimitExceeded();
    }
  }
}

let active: CostMeter | undefined;

/** Charges the meter of the program being evaluated (library functions call this). */
export function chargeCost(units: number): void {
  active?.charge(units);
}

/** Runs `fn` with `meter` active; a limit hit anywhere inside (even where CEL would absorb an error) fails the run. */
export function withMeter<T>(meter: CostMeter, fn: () => T): T {
  const prev = active;
  active = meter;
  try {
    const out = fn();
    if (meter.exceeded) throw new CostLimitExceeded();
    return out;
  } catch (e) {
    if (meter.exceeded) throw new CostLimitExceeded();
    throw e;
  } finally {
    active = prev;
  }
}

type Evaluate = (this: unknown, ev: unknown, ast: unknown, ctx: unknown) => unknown;

/** Makes every node reachable from `root` charge one unit per evaluation. */
export function instrumentAst(root: object): void {
  const nodeClass = root.constructor;
  const seen = new Set<object>();
  const visit = (v: unknown, depth: number): void => {
    if (!v || typeof v !== 'object' || seen.has(v) || depth > 4) return;
    seen.add(v);
    if (v instanceof nodeClass) {
      instrumentNode(v);
      const node = v as { args: unknown; meta?: { alternate?: unknown; macro?: unknown } };
      visit(node.args, 0);
      visit(node.meta?.alternate, 0);
      visit(node.meta?.macro, 0);
      return;
    }
    const values = Array.isArray(v) ? v : Object.getPrototypeOf(v) === Object.prototype ? Object.values(v) : [];
    for (const x of values) visit(x, depth + 1);
  };
  visit(root, 0);
}

function instrumentNode(node: object): void {
  const protoEvaluate = (Object.getPrototypeOf(node) as { evaluate: Evaluate }).evaluate;
  let inner: Evaluate | undefined;
  function evaluate(ev: unknown, ast: unknown, ctx: unknown): unknown {
    if (!inner) return protoEvaluate.call(node, ev, ast, ctx);
    if (active) active.charge(1);
    return inner.call(node, ev, ast, ctx);
  }
  Object.defineProperty(node, 'evaluate', {
    configurable: true,
    get: () => evaluate,
    set: (f: Evaluate) => {
      inner = f;
    },
  });
}
