/** Where in a file something went wrong: 1-based line and, for syntax errors, column. */
export interface SourcePosition {
  line?: number;
  column?: number;
}

/**
 * A geography file that cannot be used, named with the place to fix it, e.g.
 * `council-districts.geojson:123: feature 4 (district "7"): ring 0 is not closed`.
 */
export class GeographyError extends Error {
  readonly source: string;
  readonly line?: number;
  readonly column?: number;

  constructor(source: string, reason: string, position: SourcePosition = {}) {
    super(`${[source, position.line, position.column].filter((part) => part !== undefined).join(':')}: ${reason}`);
    this.name = 'GeographyError';
    this.source = source;
    this.line = position.line;
    this.column = position.column;
  }
}
