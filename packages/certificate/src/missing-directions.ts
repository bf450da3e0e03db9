/**
 * Reading the null space of `Λ` back in human terms (docs/math/identifiability.md §5): which feature products
 * `M[j,k]·z[l]` are never excited, which are always equal to one another, and which other linear relations the
 * data satisfies.
 *
 * The null space is explained in three layers, each a set of exact null directions of `Λ`:
 * 1. never-excited features (`Λ_pp` at or below the tolerance; `e_p` is then a null vector since `Λ` is PSD),
 *    grouped by coordinate, by last-token coordinate and by pair `(j, k)` when every feature of the group is missing;
 * 2. coincident features: classes of mutually proportional features (`ψ_q = c·ψ_p` on every example), which
 *    contribute `size − 1` null directions each;
 * 3. the rest: the null space with layers 1–2 projected out, reduced by Gauss–Jordan elimination with complete
 *    pivoting so that each listed direction reads "feature p equals this combination of others".
 */
import type { Matrix, PositionMode } from '@lattn/core';
import { featureTriple } from '@lattn/feature-map';
import { EPSILON, formatNumber, plural } from './second-moment.js';

/**
 * The kinds of missing directions, from the most to the least specific.
 *
 * - `'zero-coordinate'`: a coordinate is zero in every token, so every feature that involves it is zero.
 * - `'zero-last-coordinate'`: a coordinate is zero at every example position (in mode `'last'`: in the last token of
 *   every sequence), so every feature `M[j,k]·z[l]` with `l` that coordinate is zero.
 * - `'zero-pair'`: `M[j,k]` is zero at every example position (coordinates `j` and `k` never co-occur).
 * - `'zero-feature'`: one feature `M[j,k]·z[l]` is zero at every example.
 * - `'coincident-features'`: features that are always equal (or proportional) to one another.
 * - `'combination'`: any other linear relation among features that holds on every example.
 */
export type MissingDirectionKind =
  | 'zero-coordinate'
  | 'zero-last-coordinate'
  | 'zero-pair'
  | 'zero-feature'
  | 'coincident-features'
  | 'combination';

/** A feature `M[j,k]·z[l]` (`j <= k`) with a coefficient whose meaning depends on the {@link MissingDirectionKind}. */
export interface WeightedTriple {
  /** Row of the prefix moment, `0 <= j <= k`. */
  readonly j: number;
  /** Column of the prefix moment, `j <= k < modelDim`. */
  readonly k: number;
  /** Coordinate of the current token. */
  readonly l: number;
  /** The feature's column in the folded features: `pairIndex(j, k) · modelDim + l`. */
  readonly index: number;
  /**
   * For the `'zero-*'` kinds, `1`: the feature is a missing direction on its own. For `'coincident-features'`, the
   * ratio `c` with `feature = c · (first listed feature)` on every example. For `'combination'`, the entries of a
   * null vector `v` with `Σ v_p ψ_p = 0` on every example, scaled so that the first listed feature has `1`.
   */
  readonly coefficient: number;
}

/** One group of directions in which the folded weights are not determined by the data. */
export interface MissingDirection {
  /** What kind of relation this is. */
  readonly kind: MissingDirectionKind;
  /** The relation in words, for example `"coordinate 3 is zero in every token"`. */
  readonly description: string;
  /** How many dimensions of the null space of `Λ` this group accounts for. */
  readonly numDirections: number;
  /** The features involved, the most significant first; at most {@link MAX_LISTED_TRIPLES} of them. */
  readonly triples: readonly WeightedTriple[];
  /** The number of features involved (can exceed `triples.length`). */
  readonly numTriples: number;
}

/** At most this many features are listed per {@link MissingDirection}; `numTriples` gives the full count. */
export const MAX_LISTED_TRIPLES = 10;

/** What {@link describeNullSpace} returns. */
export interface NullSpaceReading {
  /** The listed groups, in the order of {@link MissingDirectionKind}. */
  readonly directions: MissingDirection[];
  /** Null-space dimensions not accounted for by the listed groups. */
  readonly numUnlisted: number;
}

/**
 * Explains the null space of `Λ`.
 *
 * @param lambda - `Λ`, `(D, D)` symmetric PSD.
 * @param nullBasis - An orthonormal basis of the numerical null space, `(D, r)`.
 * @param tolerance - The absolute eigenvalue threshold used for the null space.
 * @param modelDim - `d`.
 * @param mode - The training mode (only the wording depends on it).
 * @param maxDirections - At most this many groups are listed.
 */
export function describeNullSpace(
  lambda: Matrix,
  nullBasis: Matrix,
  tolerance: number,
  modelDim: number,
  mode: PositionMode,
  maxDirections: number,
): NullSpaceReading {
  const dim = lambda.rows;
  const nullity = nullBasis.cols;
  const L = lambda.data;
  const d = modelDim;
  const triples = Array.from({ length: dim }, (_, p) => featureTriple(p, d));
  const zero = new Uint8Array(dim);
  for (let p = 0; p < dim; p++) if (L[p * dim + p] <= tolerance) zero[p] = 1;

  const groups: MissingDirection[] = [];
  const covered = new Uint8Array(dim);
  const zeroGroup = (kind: MissingDirectionKind, members: number[], description: string): void => {
    const fresh = members.filter((p) => covered[p] === 0);
    if (fresh.length === 0) return;
    for (const p of fresh) covered[p] = 1;
    groups.push({
      kind,
      description,
      numDirections: fresh.length,
      triples: fresh.slice(0, MAX_LISTED_TRIPLES).map((p) => weighted(triples[p], p, 1)),
      numTriples: fresh.length,
    });
  };
  const allZero = (members: number[]): boolean => members.length > 0 && members.every((p) => zero[p] === 1);

  // Layer 1: never-excited features, grouped by coordinate, by last-token coordinate, by pair, then one by one.
  for (let c = 0; c < d; c++) {
    const members = indicesWhere(triples, (t) => t.j === c || t.k === c || t.l === c);
    if (allZero(members)) {
      const where =
        mode === 'all' ? 'in every token' : 'in every token (of every sequence whose last token is nonzero)';
      zeroGroup('zero-coordinate', members, `coordinate ${c} is zero ${where}, so no feature involving it is excited`);
    }
  }
  for (let c = 0; c < d; c++) {
    const members = indicesWhere(triples, (t) => t.l === c);
    if (allZero(members)) {
      const where = mode === 'all' ? 'at every position' : 'in the last token of every sequence';
      zeroGroup(
        'zero-last-coordinate',
        members,
        `coordinate ${c} is zero ${where}, so no feature M[j,k]·z[${c}] is excited`,
      );
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      const members = indicesWhere(triples, (t) => t.j === j && t.k === k);
      if (!allZero(members)) continue;
      const description =
        j === k
          ? `M[${j},${j}] = Σ_{s<=t} z_s[${j}]² is zero at every example position: coordinate ${j} is zero in every prefix that ends at an example`
          : `M[${j},${k}] = Σ_{s<=t} z_s[${j}]·z_s[${k}] is zero at every example position: coordinates ${j} and ${k} never co-occur in a token`;
      zeroGroup('zero-pair', members, description);
    }
  }
  for (let p = 0; p < dim; p++) {
    if (zero[p] === 0 || covered[p] === 1) continue;
    const { j, k, l } = triples[p];
    zeroGroup(
      'zero-feature',
      [p],
      `${name(triples[p])} is never nonzero: coordinates ${j} and ${k} never co-occur (in a prefix) at a position where coordinate ${l} is nonzero`,
    );
  }
  const numZero = zero.reduce((sum, z) => sum + z, 0);

  // Layer 2: classes of proportional features (ψ_q = c ψ_p on every example), by union–find over pairs.
  const parent = Int32Array.from({ length: dim }, (_, p) => p);
  const find = (p: number): number => {
    let root = p;
    while (parent[root] !== root) root = parent[root];
    while (parent[p] !== root) {
      const next = parent[p];
      parent[p] = root;
      p = next;
    }
    return root;
  };
  const relativeResidual = Math.sqrt(EPSILON);
  for (let p = 0; p < dim; p++) {
    if (zero[p] === 1) continue;
    const lpp = L[p * dim + p];
    for (let q = p + 1; q < dim; q++) {
      if (zero[q] === 1) continue;
      const lpq = L[p * dim + q];
      const lqq = L[q * dim + q];
      // min_c E[(ψ_p − c ψ_q)²] = Λ_pp − Λ_pq²/Λ_qq (a Schur complement), attained at c = Λ_pq/Λ_qq.
      const c = lpq / lqq;
      const residual = lpp - lpq * c;
      if (residual <= relativeResidual * lpp && residual / (1 + c * c) <= tolerance) {
        const rp = find(p);
        const rq = find(q);
        if (rp !== rq) parent[Math.max(rp, rq)] = Math.min(rp, rq);
      }
    }
  }
  const classes = new Map<number, number[]>();
  for (let p = 0; p < dim; p++) {
    if (zero[p] === 1) continue;
    const root = find(p);
    const members = classes.get(root);
    if (members === undefined) classes.set(root, [p]);
    else members.push(p);
  }
  const coincident: number[][] = [...classes.values()].filter((members) => members.length > 1);
  const classVectors: Float64Array[] = [];
  for (const members of coincident) {
    const first = members[0];
    const ratios = members.map((q) => L[q * dim + first] / L[first * dim + first]);
    classVectors.push(Float64Array.from(ratios));
    groups.push({
      kind: 'coincident-features',
      description: describeCoincident(
        members.map((p) => triples[p]),
        ratios,
      ),
      numDirections: members.length - 1,
      triples: members.slice(0, MAX_LISTED_TRIPLES).map((p, i) => weighted(triples[p], p, ratios[i])),
      numTriples: members.length,
    });
  }
  const numCoincident = coincident.reduce((sum, members) => sum + members.length - 1, 0);

  // Layer 3: what is left of the null space once layers 1–2 are projected out.
  const numLeft = Math.max(0, nullity - numZero - numCoincident);
  const listedSoFar = Math.min(groups.length, maxDirections);
  const slots = Math.max(0, Math.min(numLeft, maxDirections - listedSoFar));
  if (slots > 0) {
    const rows = projectedNullRows(nullBasis, zero, coincident, classVectors);
    for (const vector of pivotedRelations(rows, dim, slots)) {
      groups.push(describeCombination(vector, triples));
    }
  }

  const listed = groups.slice(0, maxDirections);
  const listedDirections = listed.reduce((sum, group) => sum + group.numDirections, 0);
  return { directions: listed, numUnlisted: Math.max(0, nullity - listedDirections) };
}

/**
 * Reads an arbitrary basis of null directions as feature relations (layer 3 alone), for subspaces that are not a
 * whole null space, such as the directions that a reference set excites but the training set does not.
 *
 * @param basis - `(D, m)`, linearly independent columns.
 * @param modelDim - `d`.
 * @param maxDirections - At most this many relations are listed.
 */
export function describeRelations(basis: Matrix, modelDim: number, maxDirections: number): NullSpaceReading {
  const dim = basis.rows;
  const count = basis.cols;
  const triples = Array.from({ length: dim }, (_, p) => featureTriple(p, modelDim));
  const rows: Float64Array[] = [];
  for (let c = 0; c < count; c++) {
    const row = new Float64Array(dim);
    for (let p = 0; p < dim; p++) row[p] = basis.data[p * count + c];
    rows.push(row);
  }
  const directions = pivotedRelations(rows, dim, Math.min(count, maxDirections)).map((vector) =>
    describeCombination(vector, triples),
  );
  return { directions, numUnlisted: count - directions.length };
}

function indicesWhere(
  triples: readonly { j: number; k: number; l: number }[],
  test: (t: { j: number; k: number; l: number }) => boolean,
): number[] {
  const out: number[] = [];
  for (let p = 0; p < triples.length; p++) if (test(triples[p])) out.push(p);
  return out;
}

function weighted(t: { j: number; k: number; l: number }, index: number, coefficient: number): WeightedTriple {
  return { j: t.j, k: t.k, l: t.l, index, coefficient };
}

/** The feature `(j, k, l)` written as the product it is: `M[j,k]·z[l]`. */
function name(t: { j: number; k: number; l: number }): string {
  return `M[${t.j},${t.k}]·z[${t.l}]`;
}

function describeCoincident(
  members: readonly { j: number; k: number; l: number }[],
  ratios: readonly number[],
): string {
  const names = members.map(name);
  const listed = names.length > 4 ? `${names.slice(0, 4).join(', ')} and ${names.length - 4} more` : joinAnd(names);
  const allEqual = ratios.every((r) => Math.abs(r - 1) <= 1e-9);
  let text: string;
  if (allEqual) {
    text = `${listed} are equal on every example`;
  } else if (members.length === 2) {
    const r = ratios[1];
    text =
      Math.abs(r + 1) <= 1e-9
        ? `${names[1]} = −${names[0]} on every example`
        : `${names[1]} = ${formatNumber(r, 4)} · ${names[0]} on every example`;
  } else {
    const relations = members
      .slice(1, 4)
      .map((_, i) => `${names[i + 1]} = ${formatNumber(ratios[i + 1], 4)} · ${names[0]}`);
    text = `${listed} are proportional on every example (${relations.join(', ')}${members.length > 4 ? ', …' : ''})`;
  }
  const key = (t: { j: number; k: number; l: number }): string => [t.j, t.k, t.l].sort((a, b) => a - b).join(',');
  if (members.every((t) => key(t) === key(members[0]))) {
    text += `: each is the monomial ${monomial(members[0])} whenever the prefix moment M_t is z_t z_tᵀ, as in sequences of one token`;
  }
  return text;
}

/** `z_j·z_k·z_l` with repeated factors as powers: `z[0]²·z[1]`, `z[2]³`. */
function monomial(t: { j: number; k: number; l: number }): string {
  const counts = new Map<number, number>();
  for (const index of [t.j, t.k, t.l].sort((a, b) => a - b)) counts.set(index, (counts.get(index) ?? 0) + 1);
  const power = ['', '', '²', '³'];
  return [...counts].map(([index, count]) => `z[${index}]${power[count]}`).join('·');
}

function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The columns of the null basis, as rows, with layers 1–2 projected out: entries of never-excited features are
 * zeroed, and on the support `S` of each coincident class (ratio vector `u`), `x_S ← (x_S · u / u·u) u` (the
 * class's null directions are the vectors on `S` orthogonal to `u`).
 */
function projectedNullRows(
  nullBasis: Matrix,
  zero: Uint8Array,
  coincident: readonly number[][],
  classVectors: readonly Float64Array[],
): Float64Array[] {
  const dim = nullBasis.rows;
  const nullity = nullBasis.cols;
  const rows: Float64Array[] = [];
  for (let c = 0; c < nullity; c++) {
    const row = new Float64Array(dim);
    for (let p = 0; p < dim; p++) row[p] = zero[p] === 1 ? 0 : nullBasis.data[p * nullity + c];
    coincident.forEach((members, m) => {
      const u = classVectors[m];
      let dot = 0;
      let norm = 0;
      members.forEach((p, i) => {
        dot += row[p] * u[i];
        norm += u[i] * u[i];
      });
      members.forEach((p, i) => {
        row[p] = (dot / norm) * u[i];
      });
    });
    rows.push(row);
  }
  return rows;
}

/**
 * Up to `count` null vectors in reduced form, by Gauss–Jordan elimination with complete pivoting on the rows of the
 * projected null basis: each returned vector has a pivot entry `1` (the largest entry left at its step) and `0` at
 * the other returned pivots. Stops early when what is left is rounding noise.
 */
function pivotedRelations(rows: Float64Array[], dim: number, count: number): Float64Array[] {
  let scale = 0;
  for (const row of rows) for (let p = 0; p < dim; p++) scale = Math.max(scale, Math.abs(row[p]));
  const floor = 1e-8 * scale;
  const used = new Uint8Array(rows.length);
  const pivots: { row: number; column: number }[] = [];
  for (let step = 0; step < count; step++) {
    let best = floor;
    let bestRow = -1;
    let bestColumn = -1;
    rows.forEach((row, r) => {
      if (used[r] === 1) return;
      for (let p = 0; p < dim; p++) {
        const magnitude = Math.abs(row[p]);
        if (magnitude > best) {
          best = magnitude;
          bestRow = r;
          bestColumn = p;
        }
      }
    });
    if (bestRow < 0) break;
    used[bestRow] = 1;
    const pivotRow = rows[bestRow];
    const pivot = pivotRow[bestColumn];
    for (let p = 0; p < dim; p++) pivotRow[p] /= pivot;
    pivotRow[bestColumn] = 1;
    rows.forEach((row, r) => {
      if (r === bestRow) return;
      const factor = row[bestColumn];
      if (factor === 0) return;
      for (let p = 0; p < dim; p++) row[p] -= factor * pivotRow[p];
      row[bestColumn] = 0;
    });
    pivots.push({ row: bestRow, column: bestColumn });
  }
  return pivots.map(({ row, column }) => {
    const vector = rows[row].slice();
    for (let p = 0; p < dim; p++) if (p !== column && Math.abs(vector[p]) <= 1e-10) vector[p] = 0;
    return vector;
  });
}

function describeCombination(
  vector: Float64Array,
  triples: readonly { j: number; k: number; l: number }[],
): MissingDirection {
  const order: number[] = [];
  for (let p = 0; p < vector.length; p++) if (vector[p] !== 0) order.push(p);
  // The pivot (coefficient exactly 1 and the largest) comes first, then the others by magnitude.
  order.sort((a, b) => Math.abs(vector[b]) - Math.abs(vector[a]) || a - b);
  const pivot = order.find((p) => vector[p] === 1) ?? order[0];
  const others = order.filter((p) => p !== pivot);
  const shown = others.slice(0, 4);
  const terms = shown.map((p, i) => {
    const c = -vector[p];
    const magnitude = formatNumber(Math.abs(c), 4);
    const sign = c < 0 ? (i === 0 ? '−' : ' − ') : i === 0 ? '' : ' + ';
    return `${sign}${magnitude === '1' ? '' : `${magnitude}·`}${name(triples[p])}`;
  });
  const rest = others.length > shown.length ? ` + … (${plural(others.length - shown.length, 'more term')})` : '';
  const description =
    others.length === 0
      ? `${name(triples[pivot])} is zero on every example`
      : `on every example, ${name(triples[pivot])} = ${terms.join('')}${rest}`;
  const listed = [pivot, ...others].slice(0, MAX_LISTED_TRIPLES);
  return {
    kind: 'combination',
    description,
    numDirections: 1,
    triples: listed.map((p) => weighted(triples[p], p, vector[p])),
    numTriples: order.length,
  };
}
