import { asOneStatement } from './sql';

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

  it('is a statement that writes nothing when given no writes', () => {
    expect(asOneStatement([])).toEqual({ text: 'SELECT 0 AS writes', parameters: [] });
  });
});
