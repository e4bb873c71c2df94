import { asOneStatement, Sql, Statement, WriteBatcher } from './sql';

describe('asOneStatement', () => {
  it('makes each write a WITH query of one statement, its placeholders numbered after those before it', () => {
    const one = asOneStatement([
      { text: 'INSERT INTO a (x, y) VALUES ($1, $2)', parameters: ['x', 'y'] },
      { text: 'INSERT INTO b (z) SELECT $1 WHERE $1 IS NOT NULL', parameters: ['z'] },
      { text: 'DELETE FROM c WHERE id = $1 OR id = $2 OR id = $10', parameters: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
    ]);
    expect(one.text).toBe(
      'WITH write_0 AS (INSERT INTO a (x, y) VALUES ($1, $2)),\n' +
        'write_1 AS (INSERT INTO b (z) SELECT $3 WHERE $3 IS NOT NULL),\n' +
        'write_2 AS (DELETE FROM c WHERE id = $4 OR id = $5 OR id = $13)\n' +
        'SELECT 3 AS writes',
    );
    expect(one.parameters).toEqual(['x', 'y', 'z', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('answers with the rows the first write returns, when asked to', () => {
    const one = asOneStatement(
      [
        { text: 'INSERT INTO a (x) VALUES ($1) RETURNING id', parameters: ['x'] },
        { text: 'UPDATE b SET y = $1', parameters: ['y'] },
      ],
      true,
    );
    expect(one.text).toBe('WITH write_0 AS (INSERT INTO a (x) VALUES ($1) RETURNING id),\nwrite_1 AS (UPDATE b SET y = $2)\nSELECT * FROM write_0');
  });

  it('is a statement that writes nothing when given no writes', () => {
    expect(asOneStatement([])).toEqual({ text: 'SELECT 0 AS writes', parameters: [] });
  });
});

describe('WriteBatcher', () => {
  /** A connection that records each statement and answers after a turn of the event loop, refusing any that names `bad`. */
  const recording = () => {
    const statements: string[] = [];
    const sql: Sql = {
      query: async (text) => {
        statements.push(text);
        await new Promise((resolve) => setImmediate(resolve));
        if (text.includes('bad')) throw new Error('refused');
        return [];
      },
    };
    return { sql, statements };
  };
  const write = (table: string): Statement[] => [{ text: `INSERT INTO ${table} VALUES ($1)`, parameters: [table] }];

  it('sends a write alone at once, and those handed in meanwhile together in one statement', async () => {
    const { sql, statements } = recording();
    const batcher = new WriteBatcher(sql);
    await Promise.all(['a', 'b', 'c', 'd'].map((table) => batcher.write(write(table))));
    expect(statements).toHaveLength(2);
    expect(statements[0]).toContain('INSERT INTO a');
    expect(statements[1]).toMatch(/INSERT INTO b VALUES \(\$1\).*INSERT INTO c VALUES \(\$2\).*INSERT INTO d VALUES \(\$3\)/s);
  });

  it('fails only the caller whose write is refused: the others are written on their own', async () => {
    const { sql, statements } = recording();
    const batcher = new WriteBatcher(sql);
    const outcomes = await Promise.allSettled(['a', 'b', 'bad', 'd'].map((table) => batcher.write(write(table))));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    // a alone; b + bad + d together (refused); then each of them on its own.
    expect(statements).toHaveLength(5);
  });

  it('writes nothing for a caller with nothing to write', async () => {
    const { sql, statements } = recording();
    await new WriteBatcher(sql).write([]);
    expect(statements).toEqual([]);
  });
});
