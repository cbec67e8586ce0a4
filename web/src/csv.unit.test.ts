import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from './csv';

describe('toCsv', () => {
  it('quotes what needs quoting and leaves the rest', () => {
    expect(
      toCsv(
        ['id', 'score'],
        [
          ['a', 87.5],
          ['b,c', null],
          ['say "hi"\nbye', undefined],
        ],
      ),
    ).toBe('id,score\r\na,87.5\r\n"b,c",\r\n"say ""hi""\nbye",\r\n');
  });
  it('defuses spreadsheet formulas in text, not in numbers', () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-1+2')).toBe("'-1+2");
    expect(csvCell(-3)).toBe('-3');
  });
});
