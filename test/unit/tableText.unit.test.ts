// The one table renderer: Markdown escaping, plain text aligned by display width (CJK, emoji,
// combining marks), and CSV that a strict RFC 4180 reader (written here) gives back cell for cell.
import { strict as assert } from 'node:assert';
import { alignFrom, csvCell, csvTable, displayWidth, markdownCell, markdownTable, plainTable, type Cells } from '../../src/protocol/tableText';

/** RFC 4180 reader: quoted fields may hold commas, quotes ("") and line breaks; records end at CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      for (i++; i < text.length; i++) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (text[i] === '"') {
          i++;
          break;
        } else field += text[i];
      }
    } else if (text[i] === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (text.startsWith('\r\n', i)) {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      field += text[i];
      i++;
    }
  }
  assert.equal(field + row.join(''), '', 'the CSV ends with a line end');
  return rows;
}

describe('table text: Markdown', () => {
  it('escapes pipes and backslashes, flattens line breaks, and aligns columns from the delimiter row', () => {
    const md = markdownTable(
      [
        ['Model', 'Gap'],
        ['a|b\\c', '1.00'],
        ['two\r\nlines\nhere', '—'],
      ],
      ['left', 'right'],
    );
    assert.equal(md, ['| Model | Gap |', '| --- | ---: |', '| a\\|b\\\\c | 1.00 |', '| two lines here | — |'].join('\n'));
  });

  it('keeps backslashes inside a code span (Markdown does not unescape there) but still escapes its pipes', () => {
    assert.equal(markdownCell('`C:\\runs\\a|b` and C:\\x'), '`C:\\runs\\a\\|b` and C:\\\\x');
  });

  it('alignFrom: names on the left, numbers on the right', () => {
    assert.deepEqual(alignFrom(4, 1), ['left', 'right', 'right', 'right']);
    assert.deepEqual(alignFrom(3, 3), ['left', 'left', 'left']);
  });
});

describe('table text: display width', () => {
  it('ASCII 1, CJK and fullwidth 2, combining marks 0, emoji and emoji sequences 2', () => {
    assert.equal(displayWidth('SalUn-soft'), 10);
    assert.equal(displayWidth('ℓ1-sparse'), 9);
    assert.equal(displayWidth('模型'), 4);
    assert.equal(displayWidth('한국어'), 6);
    assert.equal(displayWidth('ｶﾀｶﾅ'), 4, 'halfwidth katakana is narrow');
    assert.equal(displayWidth('ＡＢ'), 4, 'fullwidth Latin is wide');
    assert.equal(displayWidth('e\u0301'), 1, 'e + combining acute');
    assert.equal(displayWidth('★'), 1, 'a text-style star');
    assert.equal(displayWidth('🚀'), 2);
    assert.equal(displayWidth('❤\ufe0f'), 2, 'VS16 makes a pictograph an emoji');
    assert.equal(displayWidth('👩\u200d💻'), 2, 'ZWJ sequence');
    assert.equal(displayWidth('👍🏽'), 2, 'skin tone');
    assert.equal(displayWidth('🇩🇪🇫🇷'), 4, 'two flags');
  });
});

describe('table text: plain', () => {
  it('pads by display width, so CJK, accented and emoji cells line up with ASCII', () => {
    const t: Cells = [
      ['Model', 'UA'],
      ['模型', '1.00'],
      ['Cafe\u0301', '10.00'],
      ['🚀 run', '2.5'],
    ];
    const out = plainTable(t, ['left', 'right']);
    assert.equal(out, ['Model      UA', '-------------', '模型     1.00', 'Cafe\u0301    10.00', '🚀 run    2.5'].join('\n'));
    const widths = out.split('\n').map(displayWidth);
    assert.deepEqual(widths, [13, 13, 13, 13, 13]);
  });

  it('without a rule, left-aligned last column, no trailing spaces, line breaks flattened', () => {
    const out = plainTable(
      [
        ['Run', 'Note'],
        ['a', ''],
        ['bbbb', 'x\ny'],
      ],
      ['left', 'left'],
      { rule: false },
    );
    assert.equal(out, ['Run   Note', 'a', 'bbbb  x y'].join('\n'));
  });
});

describe('table text: CSV', () => {
  it('round-trips quotes, commas and line breaks through an RFC 4180 reader', () => {
    const cells: Cells = [
      ['Model', 'Note'],
      ['a,b', 'say "hi"'],
      ['two\r\nlines', 'one\nbreak'],
      ['', 'plain'],
    ];
    const csv = csvTable(cells);
    assert.equal(csv.split('\r\n')[0], 'Model,Note');
    assert.ok(csv.includes('"a,b","say ""hi"""'), csv);
    assert.deepEqual(parseCsv(csv), cells);
  });

  it('numbers, negative ones included, are neither quoted nor prefixed', () => {
    for (const n of ['-3.2', '+1', '0', '98.9556', '-1e-7', '.5', '-0.25']) assert.equal(csvCell(n), n);
    assert.equal(
      csvTable([
        ['a', 'b'],
        ['-3.2', '-12'],
      ]),
      'a,b\r\n-3.2,-12\r\n',
    );
  });

  it('a text a spreadsheet would take for a formula gets an apostrophe, and survives the round trip', () => {
    assert.equal(csvCell('=HYPERLINK("http://x")'), '"\'=HYPERLINK(""http://x"")"');
    assert.equal(csvCell('+cmd'), "'+cmd");
    assert.equal(csvCell('-x'), "'-x");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('\tTAB'), "'\tTAB");
    assert.equal(csvCell('-'), "'-");
    assert.equal(csvCell('a=b'), 'a=b', 'only a leading sign matters');
    assert.deepEqual(parseCsv(csvTable([['x'], ['=1+2,3']])), [['x'], ["'=1+2,3"]]);
  });

  it('LF line ends when asked', () => {
    assert.equal(
      csvTable(
        [
          ['a', 'b'],
          ['1', 'x\ny'],
        ],
        { lineEnd: '\n' },
      ),
      'a,b\n1,"x\ny"\n',
    );
  });
});
