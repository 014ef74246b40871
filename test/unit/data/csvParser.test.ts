import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DelimitedParser, parseAll } from '../../../src/core/data/csvParser';
import { DatasetError } from '../../../src/core/data/dataset';
import { createRng } from '../../../src/common/random';

/** Records of `text` pushed in chunks of `size` characters. */
function chunked(text: string, size: number, delimiter = ','): { fields: string[]; line: number; span: number }[] {
  const out: { fields: string[]; line: number; span: number }[] = [];
  const p = new DelimitedParser(delimiter, 'f.csv', (rec, line, span) => void out.push({ fields: rec.fields(), line, span }));
  for (let k = 0; k < text.length; k += size) p.push(text.slice(k, k + size));
  p.end();
  return out;
}

describe('chunked delimited parser', () => {
  it('gives the same records whatever the chunk boundaries (quotes, escapes, CRLF, CR, blank lines)', () => {
    const text = 'a,b,c\r\n1,"x\r\ny",3\n"q""z",,\n\n4,5,6\r7,"8",9\r\n"",",",""""\n10,11,12';
    const whole = parseAll(text, ',', 'f.csv');
    assert.deepEqual(whole.map((r) => r.fields), [['a', 'b', 'c'], ['1', 'x\r\ny', '3'], ['q"z', '', ''], ['4', '5', '6'], ['7', '8', '9'], ['', ',', '"'], ['10', '11', '12']]);
    assert.deepEqual(whole.map((r) => [r.line, r.span]), [[1, 1], [2, 2], [4, 1], [6, 1], [7, 1], [8, 1], [9, 1]]);
    for (let size = 1; size <= text.length; size++) assert.deepEqual(chunked(text, size), whole, `chunks of ${size}`);
    const ws = '1 2\t 3\r\n\n  4 5 6  \n';
    for (let size = 1; size <= ws.length; size++) assert.deepEqual(chunked(ws, size, 'whitespace').map((r) => r.fields), [['1', '2', '3'], ['4', '5', '6']]);
  });

  it('names the line where an unterminated quote opened, across chunks', () => {
    for (const size of [1, 3, 1000]) {
      assert.throws(() => chunked('a,b\n1,2\n3,"4\n5,6\n', size), (e: unknown) => e instanceof DatasetError && e.row === 3 && /unterminated quoted field/.test(e.message));
    }
  });

  it('reads numbers from the characters exactly as Number() does', () => {
    const rng = createRng(7);
    const cells: string[] = ['0', '-0', '007', '1.', '.5', '+3', '1e5', '1E-5', '-2.5e+3', '123456789012345', '1234567890123456789', '1e30', '1e-30', '0.1', '9007199254740993'];
    for (let k = 0; k < 3000; k++) {
      const digits = Math.floor(rng() * 1e9).toString().slice(0, 1 + Math.floor(rng() * 9));
      const dot = Math.floor(rng() * (digits.length + 1));
      let s = `${rng() < 0.3 ? '-' : ''}${digits.slice(0, dot)}${dot < digits.length ? `.${digits.slice(dot)}` : ''}`;
      if (rng() < 0.3) s += `e${rng() < 0.5 ? '-' : ''}${Math.floor(rng() * 30)}`;
      if (/^-?\.?$/.test(s) || s.startsWith('.e') || s.startsWith('-.e')) continue;
      cells.push(s);
    }
    const p = new DelimitedParser(',', 'f.csv', (rec) => {
      for (let j = 0; j < rec.count; j++) {
        const fast = rec.num(j);
        // The fast path may decline (NaN) but must never disagree.
        if (fast === fast) assert.ok(Object.is(fast, Number(rec.str(j))), `${rec.str(j)}: ${fast} vs ${Number(rec.str(j))}`);
      }
    });
    p.push(`${cells.join(',')}\n`);
    p.end();
    const seen: number[] = [];
    const q = new DelimitedParser(',', 'f.csv', (rec) => void seen.push(...Array.from({ length: rec.count }, (_, j) => rec.num(j))));
    q.push(' 1,1x,,"2",inf,0x10,1e,-,1.5.2\n');
    q.end();
    assert.ok(seen.every((v) => Number.isNaN(v)), `declined: ${seen.join(', ')}`);
  });
});
