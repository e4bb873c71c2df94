import { Box } from './box';

/**
 * A static R-tree packed bottom-up with Sort-Tile-Recursive (Leutenegger, Lopez & Edgington, 1997):
 * built once from all boxes, every node full, no inserts. A point query descends only into nodes
 * whose box holds the point, so it costs about log(n) node tests plus the boxes that really hold it.
 *
 * Node ids 0..n-1 are the items themselves (leaf entries); inner nodes follow, the root last.
 */
export class PackedRTree {
  private readonly itemCount: number;
  /** minX, minY, maxX, maxY of each node. */
  private readonly boxes: Float64Array;
  /** Inner node k's children are children[childStart[k - itemCount] .. childStart[k - itemCount + 1]). */
  private readonly childStart: Uint32Array;
  private readonly children: Uint32Array;
  private readonly root: number;
  /** Depth-first traversal stack; each node is pushed at most once per query, so this size always suffices. */
  private readonly stack: Uint32Array;

  constructor(items: Box[], nodeSize = 16) {
    const boxes = items.map((box) => ({ ...box }));
    const childStart = [0];
    const children: number[] = [];
    let level = items.map((_, index) => index);
    while (level.length > 1) {
      const parents: number[] = [];
      for (const group of strGroups(level, boxes, nodeSize)) {
        parents.push(boxes.length);
        boxes.push(unionOf(group.map((node) => boxes[node])));
        children.push(...group);
        childStart.push(children.length);
      }
      level = parents;
    }
    this.itemCount = items.length;
    this.root = level.length === 1 ? level[0] : -1;
    this.boxes = new Float64Array(boxes.flatMap((box) => [box.minX, box.minY, box.maxX, box.maxY]));
    this.childStart = Uint32Array.from(childStart);
    this.children = Uint32Array.from(children);
    this.stack = new Uint32Array(Math.max(1, boxes.length));
  }

  /**
   * Writes into `found` the items whose box holds (x, y), edges included, in no particular order,
   * and returns how many. The caller passes one array for all its queries, so a lookup allocates
   * nothing; the traversal stack is kept between queries for the same reason.
   */
  search(x: number, y: number, found: number[]): number {
    if (this.root < 0) return 0;
    const stack = this.stack;
    let count = 0;
    let top = 0;
    stack[top++] = this.root;
    while (top > 0) {
      const node = stack[--top];
      const b = node * 4;
      if (!(x >= this.boxes[b] && y >= this.boxes[b + 1] && x <= this.boxes[b + 2] && y <= this.boxes[b + 3])) continue;
      if (node < this.itemCount) {
        found[count++] = node;
        continue;
      }
      const inner = node - this.itemCount;
      for (let c = this.childStart[inner]; c < this.childStart[inner + 1]; c++) stack[top++] = this.children[c];
    }
    return count;
  }
}

const centerX = (box: Box) => box.minX + box.maxX;
const centerY = (box: Box) => box.minY + box.maxY;

/**
 * Sort-Tile-Recursive grouping of one level: sort by x, cut into √(nodes) vertical slices, sort
 * each slice by y and cut it into groups of nodeSize. Neighbouring boxes share a parent, which
 * keeps parent boxes small and point queries from descending into many of them.
 */
function strGroups(level: number[], boxes: Box[], nodeSize: number): number[][] {
  const parentCount = Math.ceil(level.length / nodeSize);
  const sliceSize = Math.ceil(Math.sqrt(parentCount)) * nodeSize;
  const byX = [...level].sort((a, b) => centerX(boxes[a]) - centerX(boxes[b]));
  const groups: number[][] = [];
  for (let s = 0; s < byX.length; s += sliceSize) {
    const slice = byX.slice(s, s + sliceSize).sort((a, b) => centerY(boxes[a]) - centerY(boxes[b]));
    for (let g = 0; g < slice.length; g += nodeSize) groups.push(slice.slice(g, g + nodeSize));
  }
  return groups;
}

function unionOf(boxes: Box[]): Box {
  return {
    minX: Math.min(...boxes.map((box) => box.minX)),
    minY: Math.min(...boxes.map((box) => box.minY)),
    maxX: Math.max(...boxes.map((box) => box.maxX)),
    maxY: Math.max(...boxes.map((box) => box.maxY)),
  };
}
