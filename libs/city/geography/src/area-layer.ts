import { BandedPolygon } from './banded-polygon';
import { PackedRTree } from './packed-r-tree';
import { Point } from './point-in-polygon';

/** A named area a case can fall in, e.g. community district 105 in the layer "community-district". */
export interface Area {
  layer: string;
  id: string;
  name: string;
  /** Extra feature properties the layer keeps (AreaLayerSpec.properties), as strings. */
  properties: Record<string, string>;
}

/** How to read one layer's GeoJSON features into areas. */
export interface AreaLayerSpec {
  layer: string;
  /** The feature property holding each area's id, unique within the layer. */
  idProperty: string;
  /** The feature property holding a name for people; the id when left out or missing. */
  nameProperty?: string;
  /** Extra feature properties to keep as strings (e.g. councilMember). */
  properties?: string[];
}

/** One validated feature: its area and its polygons, each an outer ring then holes, [long, lat]. */
export interface AreaFeature {
  area: Area;
  polygons: number[][][][];
}

/**
 * The areas of one layer with a spatial index: a packed R-tree over the bounding box of every
 * polygon (each part of a MultiPolygon on its own), and a banded edge index inside each polygon.
 * A lookup tests only the few polygons whose box holds the point, and in each only the edges near
 * the point's latitude.
 */
export class AreaLayer {
  readonly layer: string;
  readonly size: number;
  private readonly list: readonly Area[];
  private readonly polygons: BandedPolygon[];
  /** The feature (index into `list`) each polygon belongs to. */
  private readonly featureOf: Uint32Array;
  private readonly index: PackedRTree;
  /** Reused by every lookup for the index's answer, so locate allocates nothing. */
  private readonly candidates: number[] = [];

  constructor(layer: string, features: AreaFeature[]) {
    this.layer = layer;
    this.size = features.length;
    this.list = features.map(({ area }) => Object.freeze({ ...area, properties: Object.freeze({ ...area.properties }) }));
    const parts = features.flatMap(({ polygons }, feature) => polygons.map((rings) => ({ feature, polygon: new BandedPolygon(rings) })));
    this.polygons = parts.map(({ polygon }) => polygon);
    this.featureOf = Uint32Array.from(parts, ({ feature }) => feature);
    this.index = new PackedRTree(this.polygons.map((polygon) => polygon.box));
  }

  /** The layer's areas in file order. */
  areas(): Area[] {
    return [...this.list];
  }

  /**
   * The area holding the point, if any. Where areas overlap, the first in file order wins, so the
   * answer never depends on how the index happens to be laid out.
   */
  locate(point: Point): Area | undefined {
    const { long, lat } = point;
    const candidates = this.index.search(long, lat, this.candidates);
    let first = this.list.length;
    for (let c = 0; c < candidates; c++) {
      const polygon = this.candidates[c];
      const feature = this.featureOf[polygon];
      if (feature < first && this.polygons[polygon].contains(long, lat)) first = feature;
    }
    return first < this.list.length ? this.list[first] : undefined;
  }
}
