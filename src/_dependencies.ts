// What each memoized value was built from (private to the engine): the resolver calls it made
// and the nodes it read (references, children of a mapping, reads through `call.config`), with
// the earliest lifetime among them. A refresh walks these edges backwards, from the calls it
// fetches again to every value built from them, and forwards, from the values of `paths` to
// the calls they need.

import { earliest, FOREVER, type Lifetime } from "./dispatch.ts";
import type { TreeNode } from "./tree.ts";

/** A settled resolver call, as the values built from it remember it. */
export interface CallRecord<R> {
  /** Its single-flight identity (computed when first asked). */
  readonly identity: () => string;
  /** What it gave; undefined when the resolver answered not found (`default=` applied). */
  readonly result: R | undefined;
  /** Its own lifetime (its TTL). */
  readonly own: Lifetime;
  /** Its TTL in ms (`Infinity`: none). */
  readonly ttl: number;
  /** The nodes it read through `call.config`: when one of them changes, so may its value. */
  readonly reads: readonly TreeNode[];
  /**
   * The variables it read through `call.context.env`, with what each gave (undefined: unset):
   * when one gives something else (a `.env` file edited), so may its value.
   */
  readonly env?: ReadonlyMap<string, string | undefined> | undefined;
  /** Its own lifetime bounded by the lifetimes of what it read. */
  readonly life: Lifetime;
}

/**
 * What one value was built from, directly; filled while it is evaluated (by
 * {@linkcode linkNode} and {@linkcode linkCall} only).
 */
export interface Links<R> {
  /** The calls it made (or joined, or reused). */
  calls: readonly CallRecord<R>[];
  /** The nodes with links of their own it read. */
  nodes: readonly TreeNode[];
  /** The earliest lifetime among all of them, transitively. */
  life: Lifetime;
}

/**
 * The empty list every empty `Links` list (and every call record that read nothing) shares:
 * most values are built from one call, so the lists are made on their first entry.
 */
export const NOTHING: readonly never[] = Object.freeze([]);

/** An empty set of links, to fill. */
export function newLinks<R>(): Links<R> {
  return { calls: NOTHING, nodes: NOTHING, life: FOREVER };
}

/** `list` with `item` added: a list of its own on the first one, later ones pushed onto it. */
function added<T>(list: readonly T[], item: T): readonly T[] {
  if (list === NOTHING) return [item];
  (list as T[]).push(item);
  return list;
}

/**
 * Records that a value being built (`into`) read `node`, when `node` was built from calls.
 *
 * @returns Whether `node` has links.
 */
export function linkNode<R>(
  into: Links<R>,
  node: TreeNode,
  table: ReadonlyMap<TreeNode, Links<R>>,
): boolean {
  const links = table.get(node);
  if (links === undefined) return false;
  into.nodes = added(into.nodes, node);
  into.life = earliest(into.life, links.life);
  return true;
}

/** Records that a value being built (`into`) used the result of a call. */
export function linkCall<R>(into: Links<R>, record: CallRecord<R>): void {
  into.calls = added(into.calls, record);
  into.life = earliest(into.life, record.life);
}

/** Every call record the values of `table` were built from, each once. */
export function allCalls<R>(table: ReadonlyMap<TreeNode, Links<R>>): Set<CallRecord<R>> {
  const out = new Set<CallRecord<R>>();
  for (const links of table.values()) for (const c of links.calls) out.add(c);
  return out;
}

/**
 * The call records the values at `starts` need, transitively (through the nodes they read and
 * the nodes their calls read).
 */
export function callsUnder<R>(
  starts: Iterable<TreeNode>,
  table: ReadonlyMap<TreeNode, Links<R>>,
): Set<CallRecord<R>> {
  const calls = new Set<CallRecord<R>>();
  const seen = new Set<TreeNode>();
  const stack: TreeNode[] = [...starts];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    const links = table.get(node);
    if (links === undefined) continue;
    for (const n of links.nodes) stack.push(n);
    for (const c of links.calls) {
      if (calls.has(c)) continue;
      calls.add(c);
      for (const n of c.reads) stack.push(n);
    }
  }
  return calls;
}

/** What a set of refetched calls makes stale: the calls and nodes built from them. */
export interface Invalidated<R> {
  /** Calls to make again: the refetched ones and those that read a stale node. */
  calls: Set<CallRecord<R>>;
  /** Memoized nodes to compute again. */
  nodes: Set<TreeNode>;
}

/**
 * Everything built from `refetched`, transitively: the nodes that used one of these calls or
 * read a stale node, and the calls that read a stale node.
 *
 * @param refetched The calls a refresh makes again.
 * @param table The links of every memoized node.
 * @returns The stale calls and nodes.
 */
export function invalidated<R>(
  refetched: Iterable<CallRecord<R>>,
  table: ReadonlyMap<TreeNode, Links<R>>,
): Invalidated<R> {
  // The edges backwards: from a call or a node to the nodes (and calls) built from it.
  const usersOfCall = new Map<CallRecord<R>, TreeNode[]>();
  const usersOfNode = new Map<TreeNode, (TreeNode | CallRecord<R>)[]>();
  const add = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [value]);
    else list.push(value);
  };
  for (const [node, links] of table) {
    for (const c of links.calls) {
      add(usersOfCall, c, node);
      for (const read of c.reads) add(usersOfNode, read, c);
    }
    for (const n of links.nodes) add(usersOfNode, n, node);
  }
  const calls = new Set<CallRecord<R>>();
  const nodes = new Set<TreeNode>();
  const stack: (TreeNode | CallRecord<R>)[] = [...refetched];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (isRecord(item)) {
      if (calls.has(item)) continue;
      calls.add(item);
      for (const user of usersOfCall.get(item) ?? []) stack.push(user);
    } else {
      if (nodes.has(item)) continue;
      nodes.add(item);
      for (const user of usersOfNode.get(item) ?? []) stack.push(user);
    }
  }
  return { calls, nodes };
}

function isRecord<R>(item: TreeNode | CallRecord<R>): item is CallRecord<R> {
  return typeof (item as CallRecord<R>).identity === "function";
}

/**
 * Whether a node memoized in `table` was built only from calls and nodes that are not stale
 * (for a value memoized while a refresh ran: kept by it only when nothing it used changed).
 *
 * @param node The node.
 * @param table Its generation's links.
 * @param stale What the refresh made stale.
 * @param known Answers found so far (shared between calls).
 * @returns Whether it may be kept.
 */
export function builtFromFresh<R>(
  node: TreeNode,
  table: ReadonlyMap<TreeNode, Links<R>>,
  stale: Invalidated<R>,
  known: Map<TreeNode, boolean>,
): boolean {
  const answer = known.get(node);
  if (answer !== undefined) return answer;
  if (stale.nodes.has(node)) return false;
  known.set(node, true); // a loop cannot make a node stale
  const links = table.get(node);
  const fresh = links === undefined ||
    (links.calls.every((c) =>
      !stale.calls.has(c) && c.reads.every((n) => builtFromFresh(n, table, stale, known))
    ) && links.nodes.every((n) => builtFromFresh(n, table, stale, known)));
  known.set(node, fresh);
  return fresh;
}
