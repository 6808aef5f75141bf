// Generates tests/jsonata/format/oracle_cases.json: expected results of jsonata-js 2.2.2 for hookd's formatting
// functions ($formatInteger, $parseInteger, $formatNumber, $fromMillis, $toMillis), so the C++ tests compare
// against the reference implementation without needing node.
//
//   cd tools/truto-oracle && npm ci && node generate-format.mjs
//
// The clock is frozen at NOW (jsonata-js fills the components a $toMillis picture leaves out from it) and the
// time zone is UTC (Date.parse reads offset-less ISO date-times as local time; hookd reads them as UTC).
process.env.TZ = 'UTC';

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsonata from 'jsonata';
import { NOW, RealDate } from './frozen-clock.mjs';


const U = { $undefined: true }; // an omitted argument: `()` in the expression

const cases = [];
const add = (fn, ...args) => cases.push({ fn, args });

// --- $formatInteger -------------------------------------------------------------------------------------------
for (const v of [0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 14, 19, 20, 21, 22, 23, 99, 100, 101, 102, 103, 110, 111, 112, 113,
  999, 1000, 1001, 1010, 1100, 9999, 10000, 100000, 999999, 1000000, 1000001, 123456789, -1, -12, -1234, 12.9, -12.1,
  1e15, 1e18, 1e21, 1.5e300, 9007199254740993]) {
  for (const p of ['0', '00000', '#,##0', '#,##0;o', '0;o', 'w', 'W', 'Ww', 'w;o', 'W;o', 'Ww;o', 'i', 'I', 'a', 'A']) {
    if ((p.startsWith('i') || p.startsWith('I')) && Math.abs(v) > 1e6) continue;
    add('formatInteger', v, p);
  }
}
for (const p of ['#', '##', '', ';o', 'α', 'β;o', '00١', '1', '9', '01', '٠', '٠;o', '#,٠٠٠', '๐๐', '０;o', '#.##0',
  '# ##0', "#'##0", '#,##,##0', '#,###,##0', '#:###,##0', '0,00,000', '0.000.000', '#,##0,', ',0', '0-0-0', 'x0',
  '0x', 'Ⅰ', '𝟎', '#,##𝟎', '0𝟘', 'ww', 'WW', 'I;o', 'a;o', '0;c', '0;o(-er)', '0;ox']) {
  for (const v of [0, 7, 21, 1234567, -42]) add('formatInteger', v, p);
}

// --- $parseInteger --------------------------------------------------------------------------------------------
const parseRows = [
  ['0', '0'], ['007', '0'], ['-12', '0'], ['+12', '0'], [' 12', '0'], ['12abc', '0'], ['abc', '0'], ['', '0'],
  ['0x1f', '0'], ['1e3', '0'], ['1.5', '0'], ['12,345', '#,##0'], ['12.345', '#.##0'], ['12 345', '# ##0'],
  ['12:345,678', '#:###,##0'], ['1,2,3', '#,##0'], ['12345678901234567890', '0'], ['21st', '0;o'], ['22nd', '0;o'],
  ['23', '0;o'], ['st', '0;o'], ['٢١', '٠'], ['٢١st', '٠;o'], ['12', '٠'], ['１２', '０'], ['MCMXCIX', 'I'],
  ['mcmxcix', 'i'], ['MCMXCIX', 'i'], ['IIII', 'I'], ['IC', 'I'], ['MMMM', 'I'], ['ABC', 'I'], ['', 'i'], ['a', 'a'],
  ['z', 'a'], ['aa', 'a'], ['AZ', 'A'], ['az', 'A'], ['Az', 'a'], ['a1', 'a'], ['é', 'a'], ['zero', 'w'], ['one', 'w'],
  ['twenty one', 'w'], ['twenty-one', 'w'], ['twenty-first', 'w;o'], ['one hundred and twenty', 'w'],
  ['one thousand, two hundred', 'w'], ['one thousand and one', 'w'], ['one million', 'W'], ['ONE MILLION', 'W'],
  ['a hundred', 'w'], ['hundred', 'w'], ['thousand', 'w'], ['two thousand thousand', 'w'],
  ['nineteen eighty-four', 'w'], ['one trillion trillion', 'w'], ['twelve\\three', 'w'], ['one,two', 'w'],
  ['one, two', 'w'], ['  ', 'w'], ['', 'w'], ['fifty-fifth', 'Ww;o'], ['50', '#'], ['50', 'α'], ['50', '0١'],
];
for (const [text, picture] of parseRows) add('parseInteger', text, picture);

// --- $formatNumber ----------------------------------------------------------------------------------------------
const numbers = [0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1.005, 12.345, 123.456, 1234.5678, -1234.5678,
  0.001, 0.0001234, 1e-7, 1e-10, 999.9999, 99.995, 1e6, 123456789.123, 1e20, 1e21, 1.23e25, 1e300, 5e-324,
  0.1 + 0.2, 7, -7, 1 / 3, 2 / 3, 1e15 + 0.3];
const pictures = ['0', '#', '0.00', '#.##', '#,##0.00', '#,##0.###', '000', '#0.0#', '0.0000000000', '.00', '#.',
  '0%', '#.#%', '0‰', '#,###', '##,##,##0', '#,##0.00;(#,##0.00)', '0.00;0.00-', '$#,##0.00', '#,##0 items',
  '0e0', '0.00e0', '00.000e00', '#.##e0', '.0e0', '##0.0e0', '0.0e000', '#,##0.0##,###', '0.000,000',
  'Price: #0.00', 'val:0.0e0 u', '# %', '0.0 %', '+0.00', '0.00+;0.00-'];
for (const p of pictures) for (const v of numbers) add('formatNumber', v, p);
const options = [
  [{ 'decimal-separator': ',', 'grouping-separator': '.' }, ['#.##0,00', '0,0', '#.##0']],
  [{ 'zero-digit': '٠' }, ['#,##٠.٠٠', '٠٠٠', '٠.٠e٠']],
  [{ 'zero-digit': '０', 'decimal-separator': '．' }, ['０．００', '#０']],
  [{ 'zero-digit': 'A' }, ['AAA.AA', 'A.AeA']],
  [{ 'zero-digit': 'AB' }, ['AAA.AA']],
  [{ 'zero-digit': '' }, ['#.#']],
  [{ 'minus-sign': '−' }, ['0.00', '0e0']],
  [{ percent: 'pc' }, ['0pc', '0.0pc', '0%']],
  [{ 'per-mille': 'pm' }, ['0pm']],
  [{ 'exponent-separator': 'E' }, ['0.00E0', '0.00e0', 'E0.0']],
  [{ 'exponent-separator': 'x10^' }, ['0.0x10^0']],
  [{ digit: '@' }, ['@,@@0.0@', '#,##0']],
  [{ 'pattern-separator': '|' }, ['0.0|(0.0)', '0.0;(0.0)']],
  [{ 'pattern-separator': '' }, ['0', '']],
  [{ 'grouping-separator': ' ' }, ['# ##0.00', '#,##0']],
  [{ 'decimal-separator': '$&' }, ['0$&00']],
  [{ 'decimal-separator': 'ab' }, ['0ab00', '0ab']],
  [{ infinity: 'inf', NaN: 'nan', unknown: 'x' }, ['0.0']],
  [{ 'zero-digit': 5 }, ['5.55']],
];
for (const [opts, pics] of options) for (const p of pics) for (const v of [0, 1234.5678, -0.0456, 7]) add('formatNumber', v, p, opts);
for (const p of ['#;#;#', '#.0.0', '#0%%', '#0‰‰', '#0%‰', '.e0', '0+.e0', '0,.e0', '0,', '0,,0', '0#.e0',
  '#0.#0e0', '#0.0e0%', '#0.0e0,0', '%%', '', 'abc', '0e', '0e0e0', ',#0', '#.,0', '0.0.', '#,#,#', '0.##0',
  '#0#', '0#', '00.0e#', '0.00e00%', ';0', '0;', '#0e0e', '0 0']) {
  add('formatNumber', 1234.5, p);
}
add('formatNumber', 1, '0.' + '#'.repeat(101));
add('formatNumber', 1, '0.' + '0'.repeat(100));

// --- $fromMillis ------------------------------------------------------------------------------------------------
const instants = [0, 1, -1, 999, 1521801216617, 1509380732935, 1204405500000, 1199664000000, 951782400000,
  -2208988800000, -62135596800000, -62167219200000, -30610224000000, 253402300799999, 8.64e15, -8.64e15, 8.64e15 + 1,
  1e20, 1.5, -1.5, 1700000000123, 1230768000000, 1262217600000, 1293753600000];
const dtPictures = [undefined, '[Y0001]-[M01]-[D01]', '[Y]', '[Y,2]', '[Y01]', '[Y0001,2-2]', '[Y,4]', '[Y,*-2]',
  '[YI]', '[Yi]', '[Yw]', '[YW]', '[Y#,##0]', '[M]', '[M01]', '[MNn]', '[MN]', '[Mn]', '[MNn,3-3]', '[MN,*-1]',
  '[Mn,2]', '[MI]', '[Ma]', '[MA]', '[Mw]', '[Mwo]', '[D]', '[D01]', '[D1o]', '[Dwo]', '[DWwo]', '[Da]', '[d]',
  '[d001]', '[dwo]', '[F]', '[F1]', '[FNn]', '[FN,3-3]', '[Fn,2-2]', '[F1o]', '[W]', '[W01]', '[w]', '[X]', '[x]',
  '[xNn]', '[H]', '[H01]', '[h]', '[h01]', '[P]', '[PN]', '[Pn]', '[PNn]', '[m]', '[m01]', '[m1]', '[s]', '[s1]',
  '[f]', '[f001]', '[f01]', '[f0001]', '[f1]', '[Z]', '[Z0]', '[Z00]', '[Z000]', '[Z0000]', '[Z00:00]', '[Z01:01t]',
  '[Z0t]', '[z]', '[z0]', '[zt]', '[C]', '[E]', '[Cn]', '[EN]', '[q1]', '[ZN]', '[Z00000]',
  '[FNn], [D1o] [MNn] [Y]', '[h]:[m01] [P] on [D]/[M]/[Y]', '[X0001]-W[W01]-[F1]', '[x]-[w]',
  '[H01]:[m01]:[s01].[f001]', '[[[Y]]] ]] [', '[ Y 0 0 0 1 ]', '[Y][M][D]', '[D#1,2]/[M1,2]/[Y,2]',
  '[M01,3]', '[D,2-3]', '[Y,1-]', '[Y,abc]', '[D,x-y]', '[Y0١]', '[]', '[Q]', '[Y', 'plain', ''];
for (const t of instants) for (const p of dtPictures) add('fromMillis', t, p === undefined ? U : p);
const zones = ['0000', '+0000', '-0000', '+0100', '-0500', '+0530', '-0530', '+1245', '-1200', '+14', '-3', '530',
  'Z', '', 'abc', '+05:30', '0x10', '+9999'];
for (const z of zones) {
  for (const p of [undefined, '[H01]:[m01] [Z]', '[Z0]', '[Z0101t]', '[z]', '[Z01:01t]', '[Z00]', '[Z000]', '[Y]-[M]-[D] [H]:[m] [P]']) {
    add('fromMillis', 1521801216617, p === undefined ? U : p, z);
    add('fromMillis', 0, p === undefined ? U : p, z);
  }
}
// ISO weeks and week-of-month around year and month ends.
for (let day = Date.UTC(2004, 11, 20); day <= Date.UTC(2005, 0, 12); day += 86400000) {
  add('fromMillis', day, '[X0001]-W[W01]-[F1] [xNn] [w] [d]');
}
for (const y of [2008, 2009, 2010, 2015, 2016, 2020, 2021, 2026, 1900, 2000, 2100, 50, 99, 100, 1]) {
  for (const [m, d] of [[0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [11, 28], [11, 29], [11, 30], [11, 31], [2, 1], [5, 30]]) {
    const t = new RealDate(0);
    t.setUTCFullYear(y, m, d);
    add('fromMillis', t.getTime(), '[Y0001]-[M01]-[D01] [X]-[W] [x]-[w] [F] [d]');
  }
}

// --- $toMillis --------------------------------------------------------------------------------------------------
const isoYears = ['2018', '2018-02', '2018-02-03'];
for (const d of isoYears) for (const t of ['', 'T10:20:30']) for (const f of ['', '.5', '.123456', '.']) {
  for (const o of ['', 'Z', '+05:30', '+0530', '-23:59', '+24:00', '-2400', '+05']) add('toMillis', d + t + f + o);
}
for (const s of ['2018-00-01', '2018-13-01', '2018-19-01', '2018-02-29', '2020-02-29', '2018-02-30', '2018-02-31',
  '2018-02-32', '2018-02-00', '2018-04-31', '2018-02-01T24:00:00Z', '2018-02-01T24:00:00.000Z',
  '2018-02-01T24:00:00.0001Z', '2018-02-01T24:00:01Z', '2018-02-01T25:00:00Z', '2018-12-31T24:00:00Z',
  '2018-02-01T09:42:13', '0000', '0001-01-01', '0099-12-31', '9999-12-31T23:59:59.999Z', '1969-12-31T23:59:59.999Z',
  '2018T10:00:00Z', '2018-35', '2018-25', '2018-05:00', '2018-0500', '2018-02-05:00', '2018-02-0500',
  '2018-02-03-0500', '2018-22T10:00:00Z', '2018-05T10:00:00Z', '2018-02-03T10:00:00-0500', '2018-1230',
  '2018-12-3030', 'foo', '', '01-02-2018', '2018-02-03 11:15:33', '-2018', '+002018', '2018-2-3', '2018-02-03t10:00:00z',
  '2018-02-03T10:00Z', '2018-02-03T10:00:00.Z', '20180203', '2018-02-03T10:00:00+23:59', '2018-02-03T10:00:00-2359',
  ' 2018', '2018 ']) {
  add('toMillis', s);
}
const parseRows2 = [
  ['2018', '[Y1]'], ['2018', '[Y]'], ['18', '[Y01]'], ['18', '[Y,2]'], ['0018', '[Y0001]'], ['99', '[Y]'],
  ['100', '[Y]'], ['2018-03-27', '[Y]-[M]-[D]'], ['2018-3-7', '[Y]-[M]-[D]'], ['20180327', '[Y0001][M01][D01]'],
  ['201803', '[Y0001][M01]'], ['2018-13-01', '[Y]-[M]-[D]'], ['2018-02-30', '[Y]-[M]-[D]'], ['2018-00-00', '[Y]-[M]-[D]'],
  ['27th March 2018', '[D1o] [MNn] [Y]'], ['27TH march 2018', '[D1o] [MNn] [Y]'], ['1st Jan 2018', '[D1o] [MNn,3-3] [Y]'],
  ['J 2018', '[MNn,1-1] [Y]'], ['Ju 2018', '[MNn,2-2] [Y]'], ['MARCH 2018', '[MN] [Y]'], ['march 2018', '[Mn] [Y]'],
  ['Sunday 1 April 2018', '[FNn] [D] [MNn] [Y]'], ['Sun 1 April 2018', '[FNn,3-3] [D] [MNn] [Y]'],
  ['iv 2018', '[Mi] [Y]'], ['IV 2018', '[MI] [Y]'], ['d 2018', '[Ma] [Y]'], ['MMXVIII', '[YI]'],
  ['two thousand and eighteen', '[Yw]'], ['Two Thousand And Eighteen', '[Yw]'], ['fourth of July, 1976', '[Dw] of [MNn], [Y]'],
  ['thirty-first December nineteen ninety-nine', '[Dw] [MNn] [Yw]'], ['one-two', '[Dw]-[Mw]'],
  ['10:30', '[H]:[m]'], ['10:30:15', '[H]:[m]:[s]'], ['10:30:15.5', '[H]:[m]:[s].[f]'], ['10:30:15.123456', '[H]:[m]:[s].[f]'],
  ['10:30:15.007', '[H]:[m]:[s].[f001]'], ['10 pm', '[h] [P]'], ['12 am', '[h] [P]'], ['12 pm', '[h] [P]'], ['12 PM', '[h] [P]'],
  ['12 Pm', '[h] [P]'], ['pm', '[P]'], ['am', '[P]'], ['10', '[h]'], ['10:00 pm', '[h]:[m] [P]'], ['1030', '[H01][m01]'],
  ['103015', '[H01][m01][s01]'], ['2018-094', '[Y]-[d001]'], ['2018-366', '[Y]-[d]'], ['094', '[d]'], ['2018-02', '[Y]-[M]'],
  ['02-03', '[M]-[D]'], ['03', '[D]'], ['02', '[M]'], ['2018 10', '[Y] [H]'], ['2018-02-03 10', '[Y]-[M]-[D] [H]'],
  ['2018-02-03 10:00:00 +0100', '[Y]-[M]-[D] [H]:[m]:[s] [Z]'], ['2018-02-03 10:00:00 +01:00', '[Y]-[M]-[D] [H]:[m]:[s] [Z]'],
  ['2018-02-03 10:00:00 -01:30', '[Y]-[M]-[D] [H]:[m]:[s] [Z]'], ['2018-02-03 10:00:00 -0130', '[Y]-[M]-[D] [H]:[m]:[s] [Z0000]'],
  ['2018-02-03 10:00:00 +5', '[Y]-[M]-[D] [H]:[m]:[s] [Z0]'], ['2018-02-03 10:00:00 GMT+02:00', '[Y]-[M]-[D] [H]:[m]:[s] [z]'],
  ['2018-02-03 10:00:00 gmt+02:00', '[Y]-[M]-[D] [H]:[m]:[s] [z]'], ['2018-02-03 10:00:00 +00:00', '[Y]-[M]-[D] [H]:[m]:[s] [Z]'],
  ['2018-02-03 +0100', '[Y]-[M]-[D] [Z]'], ['+0100', '[Z]'], ['2018-02-03T10:00:00Z', '[Y]-[M]-[D]T[H]:[m]:[s]Z'],
  ['2018-02-03t10:00:00z', '[Y]-[M]-[D]T[H]:[m]:[s]Z'], ['Hello', 'Hello'], ['hello', 'Hello'], ['', ''], ['x', ''],
  ['', '[Y]'], ['2018-', '[Y]-[M]'], ['2018-05-22', '[Y]-[M]-[q]'], ['2018-05-22', '[YN]-[M]-[D]'],
  ['2018-22', '[Y]-[D]'], ['5-22 23:59', '[M]-[D] [m]:[s]'], ['2018-3-2-5', '[X]-[x]-[w]-[F1]'], ['2018-32-5', '[X]-[W]-[F1]'],
  ['2018 ISO', '[Y] [C]'], ['2018 ISO', '[Y] [E]'], ['2018 x', '[Y] [q1]'], ['2018', '[Yα]'], ['2018', '[Y'],
  ['2018-02-03', '[Y]-[M]-[D'], ['Monday', '[FNn]'], ['Mon', '[FNn,*-3]'], ['1', '[F1]'], ['10:00', '[H]:[m] [Z]'],
  ['12:00', '[h]:[m]'], ['2018 12 pm', '[Y] [h] [P]'], ['0', '[H]'], ['00:00', '[H]:[m]'], ['2018-00', '[Y]-[M]'],
  ['20180101', '[Y][M][D]'], ['201811', '[Y,4][M][D]'], ['1st', '[D1o]'], ['31st', '[D1o]'], ['23th', '[D1o]'],
  ['2018-02-03 +01:30', '[Y]-[M]-[D] [Z01:01]'], ['2018-02-03 +01.30', '[Y]-[M]-[D] [Z01.01]'],
  ['1/2/2018', '[D]/[M]/[Y]'], ['one', '[Hw]'], ['23:59:59.999', '[H]:[m]:[s].[f]'], ['2018-W05-3', '[X]-W[W]-[F]'],
  ['٢٠١٨', '[Y١]'], ['2018', '[Y١]'],
];
for (const [text, picture] of parseRows2) add('toMillis', text, picture);
add('toMillis', '1'.repeat(200) + '-', '[Y]-[M]');
add('toMillis', 'one '.repeat(50) + 'x', '[Yw] [Dw]');

// --- evaluate ---------------------------------------------------------------------------------------------------
const out = [];
for (const c of cases) {
  const bindings = {};
  const argText = c.args.map((a, i) => {
    if (a === U) return '()';
    bindings['a' + i] = a;
    return '$a' + i;
  });
  const expr = `$${c.fn}(${argText.join(', ')})`;
  const row = { fn: c.fn, args: c.args };
  try {
    const r = await jsonata(expr).evaluate(undefined, bindings);
    if (r === undefined) row.undefinedResult = true;
    else if (typeof r === 'number' && Number.isNaN(r)) row.nan = true;
    else row.result = r;
  } catch (err) {
    if (err.code) {
      row.code = err.code;
      row.message = err.message;
    } else {
      // jsonata-js let a JavaScript exception through: hookd reports its name as the code.
      row.code = err.name;
      row.message = err.message;
      row.jsError = true;
    }
  }
  out.push(row);
}

// JSON.stringify, except that integers too large for 64 bits are written in exponent form (1e+20): hookd's JSON
// reader (simdjson) rejects a 21-digit integer literal, and the value is the same double either way.
function stringify(v) {
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) >= 1e19) return v.toExponential();
  if (Array.isArray(v)) return '[' + v.map(stringify).join(',') + ']';
  if (v !== null && typeof v === 'object') {
    return '{' + Object.entries(v).map(([k, x]) => JSON.stringify(k) + ':' + stringify(x)).join(',') + '}';
  }
  return JSON.stringify(v);
}

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, '..', '..', 'tests', 'jsonata', 'format', 'oracle_cases.json');
const header = {
  generator: 'tools/truto-oracle/generate-format.mjs',
  reference: 'jsonata ' + JSON.parse(readFileSync(join(here, 'node_modules', 'jsonata', 'package.json'), 'utf8')).version,
  now: NOW,
  timezone: 'UTC',
};
// One case per line keeps the file small and its diffs readable.
const body = out.map((row) => ' ' + stringify(row)).join(',\n');
writeFileSync(target, JSON.stringify(header, null, 1).replace(/\n}$/, ',\n "cases": [\n') + body + '\n ]\n}\n');
console.log(`wrote ${out.length} cases to ${target}`);
