// How Go values of the template data model are represented in JS, and their Go type names
// (exec errors and fmt's `%!verb(type=value)` print them).

/** Go type name tag, e.g. `template.KV`, `[]string`. */
export const GO_TYPE = Symbol('goType');
/** Methods callable from templates (`.SortedPairs`, `.Firing`…), keyed by Go method name. */
export const GO_METHODS = Symbol('goMethods');

export type GoMethod = { params: ParamType[]; variadic?: ParamType; fn: (...args: unknown[]) => unknown };
export type ParamType = 'string' | 'int' | 'any' | 'strings' | 'time' | 'duration' | 'float' | 'bool';

/** A float64 (Go keeps ints and floats apart; plain JS numbers are ints here). */
export class GoFloat {
  constructor(readonly value: number) {}
}

/** A Go struct: ordered exported fields (for `{a b}` printing) and a type name. */
export abstract class GoStruct {
  abstract readonly goTypeName: string;
  abstract goFields(): [string, unknown][];
  /** Go's ==: false for structs holding maps or slices (eq then fails as Go's does). */
  readonly goComparable: boolean = true;
  goMethod(_name: string): GoMethod | undefined {
    return undefined;
  }
}

/** Go's map[string]V with sorted printing; `elemZero` is what missingkey=zero yields. */
export class GoMap {
  constructor(
    readonly entries: Map<string, unknown>,
    readonly goTypeName: string,
    readonly elemZero: unknown,
  ) {}
  goMethod(_name: string): GoMethod | undefined {
    return undefined;
  }
}

export function tagSlice<T extends unknown[]>(arr: T, type: string, methods?: Record<string, GoMethod>): T {
  Object.defineProperty(arr, GO_TYPE, { value: type, enumerable: false });
  if (methods) Object.defineProperty(arr, GO_METHODS, { value: methods, enumerable: false });
  return arr;
}

export function sliceType(v: unknown[]): string {
  return (v as unknown as Record<symbol, string>)[GO_TYPE] ?? '[]interface {}';
}

export function sliceMethods(v: unknown[]): Record<string, GoMethod> | undefined {
  return (v as unknown as Record<symbol, Record<string, GoMethod>>)[GO_METHODS];
}

/** Signals a Go function's returned error (exec wraps it as `error calling NAME: …`). */
export class GoCallError extends Error {}
