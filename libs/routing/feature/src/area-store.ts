import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { Actor } from '@caseline/case-contracts';
import { cityConfigDir } from '@caseline/city-config';
import { AreaLayer, AreaLayerSpec, AreasManifest, Geography, GeographyError, parseAreaLayer, parseJsonWithLines } from '@caseline/city-geography';
import { envInt } from '@caseline/service-kit';

const SEEDER: Actor = { kind: 'service', id: 'routing', name: 'Routing service (city file import)' };

interface LayerRow {
  layer: string;
  spec: AreaLayerSpec;
  geojson: string;
  version: number;
}

export interface LayerSummary {
  layer: string;
  version: number;
  areas: number;
  sha256: string;
  replacedAt: string;
  replacedBy: Actor;
}

/**
 * The areas routing stamps cases with (council districts, service zones…): seeded once from the
 * city's areas.json and its GeoJSON files, kept in routing's schema, replaceable at run time. A bad
 * file is refused with the reason and line, and the layer in force stays in force.
 */
@Injectable()
export class AreaStore implements OnApplicationShutdown {
  private readonly logger = new Logger('Areas');
  private geography = new Geography([]);
  private seen = '';
  private timer?: NodeJS.Timeout;

  constructor(private readonly dataSource: DataSource) {}

  /** Called by the routing service before the rules load (they are checked against these areas). */
  async start(): Promise<void> {
    await this.seed();
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch((error: Error) => this.logger.warn(`refresh: ${error.message}`)), envInt('CONFIG_REFRESH_MS', 1000));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  get current(): Geography {
    return this.geography;
  }

  /** Checks a layer file without keeping it (throws GeographyError naming the line). */
  parse(spec: AreaLayerSpec, geojson: string, source: string): AreaLayer {
    return parseAreaLayer(spec, geojson, source);
  }

  /** Puts a checked layer in force for every routing replica; `accept` may still refuse it (e.g. rules name areas it lacks). */
  async replace(layer: AreaLayer, spec: AreaLayerSpec, geojson: string, actor: Actor): Promise<LayerSummary> {
    const [row] = await this.dataSource.query<LayerSummary[]>(
      `INSERT INTO routing.area_layers (layer, spec, geojson, sha256, areas, replaced_by) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (layer) DO UPDATE SET spec = EXCLUDED.spec, geojson = EXCLUDED.geojson, sha256 = EXCLUDED.sha256, areas = EXCLUDED.areas,
              replaced_by = EXCLUDED.replaced_by, replaced_at = now(), version = routing.area_layers.version + 1
       RETURNING layer, version, areas, sha256, replaced_at AS "replacedAt", replaced_by AS "replacedBy"`,
      [spec.layer, JSON.stringify(spec), geojson, sha256(geojson), layer.size, JSON.stringify(actor)],
    );
    await this.refresh();
    return row;
  }

  async summaries(): Promise<LayerSummary[]> {
    return this.dataSource.query<LayerSummary[]>(
      `SELECT layer, version, areas, sha256, replaced_at AS "replacedAt", replaced_by AS "replacedBy" FROM routing.area_layers ORDER BY layer`,
    );
  }

  /** Stored spec of a layer, if it exists. */
  async specOf(layer: string): Promise<AreaLayerSpec | undefined> {
    const rows = await this.dataSource.query<{ spec: AreaLayerSpec }[]>('SELECT spec FROM routing.area_layers WHERE layer = $1', [layer]);
    return rows[0]?.spec;
  }

  /** The city's files fill layers routing does not have yet (every replica may try; the first wins). */
  private async seed(): Promise<void> {
    const dir = cityConfigDir();
    const manifestFile = join(dir, 'areas.json');
    if (!existsSync(manifestFile)) return;
    const manifest = parseJsonWithLines(readFileSync(manifestFile, 'utf8'), manifestFile).value as AreasManifest;
    for (const { file, ...spec } of manifest.layers) {
      const geojson = readFileSync(join(dir, file), 'utf8');
      const layer = parseAreaLayer(spec, geojson, join(dir, file)); // a broken file stops the start, naming its line
      await this.dataSource.query(
        `INSERT INTO routing.area_layers (layer, spec, geojson, sha256, areas, replaced_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (layer) DO NOTHING`,
        [spec.layer, JSON.stringify(spec), geojson, sha256(geojson), layer.size, JSON.stringify(SEEDER)],
      );
    }
  }

  /** Rebuilds the index only when a layer changed (versions are compared, the files are not re-read). */
  private async refresh(): Promise<void> {
    const versions = await this.dataSource.query<{ layer: string; version: number }[]>('SELECT layer, version FROM routing.area_layers ORDER BY layer');
    const key = versions.map((v) => `${v.layer}@${v.version}`).join(',');
    if (key === this.seen) return;
    const rows = await this.dataSource.query<LayerRow[]>('SELECT layer, spec, geojson, version FROM routing.area_layers ORDER BY layer');
    const layers: AreaLayer[] = [];
    for (const row of rows) {
      try {
        layers.push(parseAreaLayer(row.spec, row.geojson, `${row.layer} v${row.version}`));
      } catch (error) {
        // Stored layers were checked when written; one that no longer parses keeps its old index.
        const old = this.geography.layer(row.layer);
        this.logger.error(`area layer ${row.layer} v${row.version} cannot be used: ${(error as GeographyError).message}`);
        if (old) layers.push(old);
      }
    }
    this.geography = new Geography(layers);
    this.seen = rows.map((v) => `${v.layer}@${v.version}`).join(',');
  }
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
