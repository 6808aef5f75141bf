// Generates tests/jsonata/truto/oracle_cases.json: what @truto/truto-jsonata (3.0.6, jsonata 2.2.1 inside)
// answers for each expression below, so hookd's C++ tests compare its Truto function set against Truto's own
// library without node.
//
//   cd tools/truto-oracle && npm ci && node generate-truto.mjs
//
// Results are recorded the way Truto serialises them (JSON.stringify after its unwrapping: a DateTime becomes its
// ISO text), with NaN, Infinity and undefined array items spelled out ({"$number": "NaN"}, {"$undefined": true}).
// Errors record jsonata's code, or the JavaScript error's name when Truto's code throws a plain exception.
// The clock is frozen at NOW, and the C++ test evaluates with the same instant (the file's "now"), so cases that read
// the clock ($now, diffNow, a date format without a year) have one right answer on every day. Cases that depend on
// randomness are not listed (hookd's tests check those by shape).
process.env.TZ = 'UTC';

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import trutoJsonata from '@truto/truto-jsonata';
import { NOW } from './frozen-clock.mjs';


const payload = {
  id: 'evt_123',
  created: 1700000000,
  created_ms: 1700000000123,
  when: '2024-03-10T12:34:56.789Z',
  amount: '42.50',
  user: { name: 'Ada', email: 'ADA@example.com', tags: ['a', 'b'], address: { city: 'Paris', zip: '75001' } },
  items: [
    { sku: 'A1', qty: 2, price: 10, kind: 'book' },
    { sku: 'B2', qty: 1, price: 5.5, kind: 'pen' },
    { sku: 'C3', qty: 0, price: 3, kind: 'book' },
  ],
  empty: [],
  nothing: null,
  flag: false,
  headers: { 'x-signature': 'abc', 'content-type': 'application/json' },
  query: 'a=1&b[c]=2&d[]=3&d[]=4&e=%20x+y',
  url: 'https://User:pw@Example.COM:8443/a/./b/../c?x=1&y=two%20words&x=3#frag',
  status: 'ACTIVE',
};

const cases = [];
const add = (expr, input = payload, bindings) => cases.push({ expr, ...(input === undefined ? {} : { input }), ...(bindings ? { bindings } : {}) });

// --- $sign / $digest / base64 ---------------------------------------------------------------------------------------
for (const alg of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512', 'sha-256', ' sha-512 ', 'SHA256', 'MD5', '', null]) {
  for (const fmt of ['hex', 'base64', 'base64-urlSafe', 'other']) {
    add(`$sign("hello world", ${JSON.stringify(alg)}, "secret", "${fmt}")`);
  }
}
add('$sign("hello")');
add('$sign("hello", "SHA-256")');
add('$sign("hello", "SHA-256", "")');
add('$sign(body, "SHA-256", "k")', { body: '{"a":1}' });
add('$sign(nope, "SHA-1", "k")');
add('$sign(12.5, "SHA-1", 99)');
add('$sign("héllo ✓", "SHA-256", "sécret")');
add('$sign("x", "RS256", "not a key")');
add('$sign("x", "RS256")');
for (const alg of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512', 'sha-1', 'MD5', 'md5', 'Md5', 'SHA256', 'SHA-3']) {
  for (const fmt of ['hex', 'base64', 'base64-urlSafe', 'b64']) add(`$digest("hello world", "${alg}", "${fmt}")`);
}
add('$digest("hello")');
add('$digest("")');
add('$digest(nope)');
add('$digest(5, "MD5")');
add('$digest("héllo", "MD5")');
add('$digest(42)');
for (const s of ['', 'a', 'ab', 'abc', 'hello world', 'héllo ✓ 😀', '<<??>>', 'ÿ']) {
  add(`$base64encode(${JSON.stringify(s)})`);
  add(`$base64encode(${JSON.stringify(s)}, true)`);
}
add('$base64encode(nope)');
add('$base64encode(null)');
add('$base64encode(12)');
add('$base64encode(true)');
add('$base64encode(user)');
for (const s of ['aGVsbG8gd29ybGQ=', 'aGVsbG8gd29ybGQ', 'YQ', 'YQ=', 'YQ==', ' Y Q = = ', 'YW\nJj', '!!', 'Y', 'YQ===',
  '=YQ', 'Y=Q=', 'w7/Dvw==', '/w==', '77u/YQ==', '8J+YgA==', 'PDw_Pz4-', 'PDw/Pz4+', '']) {
  add(`$base64decode(${JSON.stringify(s)})`);
  add(`$base64decode(${JSON.stringify(s)}, true)`);
}
add('$base64decode(nope)');
add('$base64decode(5)');
add('$base64decode(5, true)');

// --- query strings --------------------------------------------------------------------------------------------------
const queries = ['', 'a=1', 'a=1&b=2', 'a=1&a=2&a=3', 'a[]=1&a[]=2', 'a[0]=x&a[1]=y', 'a[1]=y&a[0]=x', 'a[b][c]=d',
  'a[b]=1&a[c]=2', 'a=1&a[b]=2', 'a[b]=2&a=1', 'a[]=1&a=2', 'a[21]=x', 'a[20]=x', 'a[0]=x&a[21]=y', 'a[]=&a[]=b',
  'a=%20b+c', 'a=%E2%9C%93', 'a=%ZZ', 'a=%E2%9C', 'a%5Bb%5D=c', 'a%5bb%5d=c', '?a=1', 'a', 'a&b', '=x', '&&a=1&&',
  'a=b=c', 'a[b][c][d][e][f][g]=h', 'a[b[c]]=d', 'a[=x', 'a]=x', 'toString=1', 'a[constructor]=1', 'a[__proto__]=1',
  'b=1&0=2&a=3&10=4&2=5', 'a.b=c', 'a[]=1&a[]=2&a[]=3&a[]=4&a[]=5&a[]=6&a[]=7&a[]=8&a[]=9&a[]=10&a[]=11&a[]=12&a[]=13&a[]=14&a[]=15&a[]=16&a[]=17&a[]=18&a[]=19&a[]=20&a[]=21&a[]=22',
  'a=1;b=2', 'a=x,y,z', 'a[0][b]=1&a[0][c]=2&a[1][b]=3', 'a[][b]=1&a[][c]=2', 'foo[bar]=baz&foo=qux',
  'a[-1]=x', 'a[01]=x', 'a[1.5]=x', 'a[ ]=x', 'utf8=%E2%9C%93&a=%C3%A9'];
for (const q of queries) add(`$parseQuery(${JSON.stringify(q)})`);
const parseOpts = [{ ignoreQueryPrefix: true }, { allowDots: true }, { depth: 1 }, { depth: 0 }, { arrayLimit: 0 },
  { arrayLimit: 100 }, { parseArrays: false }, { delimiter: ';' }, { comma: true }, { strictNullHandling: true },
  { duplicates: 'first' }, { duplicates: 'last' }, { duplicates: 'bad' }, { allowEmptyArrays: true },
  { allowSparse: true }, { parameterLimit: 2 }, { charset: 'iso-8859-1' }, { charset: 'x' }, { decodeDotInKeys: true },
  { throwOnLimitExceeded: true, parameterLimit: 1 }, { strictDepth: true, depth: 1 }, { allowPrototypes: true },
  { plainObjects: true }];
for (const o of parseOpts) {
  for (const q of ['?a.b=1&a.c=2&d=x,y', 'a[b][c][d]=1&e=&f', 'a[]=&a[3]=x&toString=y', 'a=1&a=2&b=%E9&c.%2E=3']) {
    add(`$parseQuery(${JSON.stringify(q)}, ${JSON.stringify(o)})`);
  }
}
add('$stringifyQuery({"skus": items.sku, "kept": [items[0].sku]})');
add('$stringifyQuery(items.sku)');
add('$omit(items.sku, "0")');
add('$values([1, 2])');
add('$parseQuery(query)');
add('$parseQuery(nope)');
add('$parseQuery(null)');
add('$parseQuery(5)');
add('$parseQuery({"a[b]": "c", "d": "e,f"}, {"comma": true})');
const objects = ['{"a": 1, "b": "two"}', '{"a": {"b": {"c": "d"}}}', '{"a": [1, 2, 3]}', '{"a": [{"b": 1}, {"b": 2}]}',
  '{"a": null, "b": true, "c": false}', '{"a": "", "b": " ", "c": "x y&z=w"}', '{"ümlaut": "ü✓😀", "k(1)": "v~*\'"}',
  '{"a": [], "b": {}}', '{"a": 1.5e21, "b": -0.001}', '{"a": [[1, 2], [3]]}', '[1, 2]', '"abc"', '5', 'null',
  '{"a": {"b": [1, {"c": 2}]}}', '{"a.b": "c"}'];
for (const o of objects) add(`$stringifyQuery(${o})`);
const stringifyOpts = [{ encode: false }, { encodeValuesOnly: true }, { arrayFormat: 'brackets' }, { arrayFormat: 'repeat' },
  { arrayFormat: 'comma' }, { arrayFormat: 'comma', commaRoundTrip: true }, { indices: false }, { allowDots: true },
  { addQueryPrefix: true }, { delimiter: ';' }, { skipNulls: true }, { strictNullHandling: true }, { format: 'RFC1738' },
  { format: 'bad' }, { charset: 'iso-8859-1' }, { charsetSentinel: true }, { allowEmptyArrays: true },
  { encodeDotInKeys: true, allowDots: true }];
for (const o of stringifyOpts) {
  add(`$stringifyQuery({"a": [1, null, "x y"], "b": {"c.d": "e(f)", "g": null}, "h": [], "i": "ü"}, ${JSON.stringify(o)})`);
}

// --- $parseUrl ------------------------------------------------------------------------------------------------------
const urls = ['https://example.com', 'HTTP://EXAMPLE.com:80/a/./b/../c/%2e%2E/d?#', 'https://münchen.DE/straße',
  'http://0x7f.1/', 'http://[::FFFF:1.2.3.4]:8080/', 'mailto:Joe@Example.com?subject=hi there', 'urn:isbn:0451450523',
  'foo://User@Host:99/p a t h?q q#h h', 'file:///C:/x/../y', 'file://host/share', 'http://u:p@a:b@h/', 'http://h:65536',
  'http://h:0080/', 'https://a.b.c./x', 'http://%41.com', 'http://a b/', 'data:text/plain,hello world',
  'http:example.com', 'http:\\\\a\\b', 'https://x/?a=1&b=2&a=3&c=%20+d&e', 'javascript:alert(1)', 'http://1.2.3.4.5/',
  'http://999999999/', 'http://0/', 'http://[1:0:0:2:0:0:0:3]/', '/relative/path', 'not a url', '',
  'https://api.example.com/v1/webhooks?token=abc%2Bdef&list=1&list=2', 'ws://h/', 'wss://h:443/', 'ftp://h:21/x',
  'https://h/a^b|c{d}`e"f<g>h', 'https://h/?q=a^b|c{d}`e"f<g>h\'i', 'https://h/#a^b|c{d}`e"f<g>h', '  https://h/x  ',
  'https://h/\tx\ny', 'HTTPS://H.COM/A?B#C', 'https://[::]/', 'https://[1::]/', 'https://[::1:2]/'];
for (const u of urls) {
  add(`$parseUrl(${JSON.stringify(u)})`);
  add(`$parseUrl(${JSON.stringify(u)}).[href, origin, protocol, username, password, host, hostname, port, pathname, search, hash, searchParams.size]`);
}
add('$parseUrl(url).searchParams.get("x")');
add('$parseUrl(url).searchParams.get("nope")');
add('$parseUrl(url).searchParams.getAll("x")');
add('$parseUrl(url).searchParams.has("y")');
add('$parseUrl(url).searchParams.keys()');
add('$parseUrl(url).searchParams.values()');
add('$parseUrl(url).searchParams.entries()');
add('$parseUrl(url).searchParams.toString()');
add('$parseUrl(url).searchParams');
add('$string($parseUrl(url))');
add('$parseUrl(nope)');

// --- Truto's core versions ------------------------------------------------------------------------------------------
for (const e of ['$string(user)', '$string(user, true)', '$string(items)', '$string(1/3)', '$string(0.1 + 0.2)',
  '$string(1e21)', '$string(123456789012345678)', '$string(-0.000001234567890123456)', '$string("x")', '$string(nope)',
  '$string(null)', '$string(true)', '$string($string)', '$string({"f": $string, "n": 1.00000000000000005})',
  '$string([1, [2, {"a": [3]}]], true)', '$string(empty)', '$string({})', '$string(100000000000000.5)',
  '$string(0.1234567890123455)', '$keys(user)', '$keys(items)', '$keys({"z": 1})', '$keys([])', '$keys("x")',
  '$keys([{"a": 1}, [{"b": 2}, {"a": 3, "c": 4}]])', '$keys({"b": 1, "2": 2, "a": 3, "1": 4})', 'user.$keys()',
  '$each(user, function($v, $k) {$k})', '$each(user.address, function($v) {$v})',
  '$each(user.address, function($v, $k, $o) {$k & "=" & $v & "/" & $count($keys($o))})',
  '$each({"a": 1}, function($v) {$v})', '$each({"a": 1, "b": 2}, function($v) {nope})', '$each(nope, function($v){$v})',
  '$each({"b": 1, "2": 2}, function($v, $k) {$k})', '$sift(user, function($v) {$type($v) = "string"})',
  '$sift(user.address, function($v, $k) {$k = "zip"})', '$sift(user, function($v) {false})',
  '$sift({"a": [0, ""], "b": [0, 1], "c": {}, "d": {"x": 1}, "e": "", "f": 0, "g": "0"}, function($v) {$v})',
  '$join(["a", "b", "c"])', '$join(["a", "b"], "-")', '$join(["a", 1, null, true, [1, 2]])', '$join("abc")',
  '$join(nope)', '$join([])', '$join(items.sku, ", ")', '$join(items.qty)', '$join(["a"], 5)',
  '$firstNonEmpty(null, nope, "", "x")', '$firstNonEmpty(nope, null)', '$firstNonEmpty(nothing, user.name)',
  '$firstNonEmpty(0, 1)', '$firstNonEmpty(false)', '$firstNonEmpty()',
  '$jsonParse("{\\"a\\": 1, \\"b\\": [1, 2]}")', '$jsonParse("{bad")', '$jsonParse("")', '$jsonParse(nope)',
  '$jsonParse("5")', '$jsonParse(5)', '$jsonParse("null")', '$jsonParse("\\"s\\"")', '$jsonParse(" [1] ")',
  '$jsonParse("{\\"b\\": 1, \\"1\\": 2}")', '$jsonParse("[1,]")', '$jsonParse(true)', '$jsonParse(["1"])',
  '$mapValues("A", {"a": "x"})', '$mapValues(["A", "b", 1], {"a": "x", "1": "one"})', '$mapValues(status, {"active": "live"})',
  '$mapValues(status, {"ACTIVE": "live"})', '$mapValues(status, {"active": "live"}, true)',
  '$mapValues(status, {"ACTIVE": "live"}, true)', '$mapValues(nothing, {"a": 1}, false, "dflt")',
  '$mapValues(nope, {"a": 1}, false, "dflt")', '$mapValues(nope, {"a": 1})', '$mapValues("a", null)',
  '$mapValues({"k": "A", "n": {"m": "a"}}, {"a": "x"})', '$mapValues(true, {"true": "yes"})',
  '$mapValues("missing", {"a": "x"})', '$mapValues("a", {"a": false})', '$mapValues("a", {"a": null})',
  '$mapValues(1.5, {"1.5": "x"})', '$mapValues("a", "abc")',
  '$removeEmptyItems([{}, [], 0, "", null, {"a": 1}, [1], "x", false, true, 1])', '$removeEmptyItems("x")',
  '$removeEmptyItems(nope)', '$removeEmptyItems(items)', '$removeEmpty("x")', '$removeEmpty("")', '$removeEmpty([1])',
  '$removeEmpty([])', '$removeEmpty({"a": 1})', '$removeEmpty(5)', '$removeEmpty(null)',
  '$toNumber("42")', '$toNumber(amount)', '$toNumber("  12 ")', '$toNumber("0x1f")', '$toNumber("0b101")',
  '$toNumber("0o17")', '$toNumber("-0x1f")', '$toNumber("1e3")', '$toNumber(".5")', '$toNumber("5.")', '$toNumber("")',
  '$toNumber(" ")', '$toNumber("abc")', '$toNumber("12px")', '$toNumber("Infinity")', '$toNumber("-Infinity")',
  '$toNumber(null)', '$toNumber(nope)', '$toNumber(true)', '$toNumber(false)', '$toNumber([5])', '$toNumber([1, 2])',
  '$toNumber([])', '$toNumber(user)', '$toNumber(7)', '$toNumber("1_000")', '$toNumber("0B11")', '$toNumber("0x")',
  '$toNumber("+5")', '$toNumber("-5")', '$toNumber("\\n42\\t")']) {
  add(e);
}

// --- lodash helpers -------------------------------------------------------------------------------------------------
for (const e of ['$groupBy(items, "kind")', '$groupBy(items, "qty")', '$groupBy(items, "missing")', '$groupBy(items)',
  '$groupBy(items, {"kind": "book"})', '$groupBy(items, ["kind", "pen"])', '$groupBy(items, function($v) {$v.kind})',
  '$groupBy(user, "name")', '$groupBy(nope, "k")', '$groupBy([1, 2, 1], nope)', '$groupBy([{"a": {"b": 1}}, {"a": {"b": 2}}], "a.b")',
  '$groupBy([{"a": [{"b": "x"}]}], "a[0].b")', '$groupBy([{"n": 10}, {"n": 2}, {"n": "a"}], "n")',
  '$keyBy(items, "sku")', '$keyBy(items, "kind")', '$keyBy(nope, "k")', '$keyBy(items)', '$keyBy([{"a.b": 1}], "a.b")',
  '$pick(user, "name")', '$pick(user, ["name", "email", "missing"])', '$pick(user, "address.city")',
  '$pick(user, ["address.city", "tags[1]"])', '$pick(user, "tags[1]")', '$pick(items, "0.sku")', '$pick(nope, "a")',
  '$pick(user)', '$pick("abc", "1")', '$pick({"a.b": 1, "a": {"b": 2}}, "a.b")', '$pick(user, [["address", "zip"]])',
  '$omit(user, "name")', '$omit(user, ["name", "tags"])', '$omit(user, "address.city")', '$omit(items, "0")',
  '$omit(nope, "a")', '$omit(user)', '$omit("abc", "1")', '$omit({"b": 1, "2": 2, "a": 3}, "a")',
  '$omit({"a": [1, 2, 3]}, "a[1]")', '$compact([0, 1, "", "a", null, false, true, [], {}])', '$compact(nope)',
  '$compact("x")', '$compact(items.qty)', '$values(user.address)', '$values("abc")', '$values(5)', '$values(nope)',
  '$values(items.sku)', '$values({"b": 1, "1": 2})', '$flatten([1, [2, [3, [4]]], 5])', '$flatten("abc")', '$flatten(nope)',
  '$flattenDeep([1, [2, [3, [4]]], 5])', '$flattenDepth([1, [2, [3, [4]]], 5], 2)', '$chunk([1, 2, 3, 4, 5], 2)',
  '$chunk([1, 2, 3], 0)', '$chunk([1, 2, 3])', '$chunk(nope, 2)', '$chunk([1, 2, 3], "2")', '$wrap("x", "[", "]")',
  '$wrap("x", "*")', '$wrap(nope, "*")', '$difference([1, 2, 3, 2], [2, 4])', '$difference("abc", ["a"])',
  '$difference([1, 2], nope)']) {
  add(e);
}

// --- dates ------------------------------------------------------------------------------------------------------
const isoInputs = ['2024-03-10T12:34:56.789Z', '2024-03-10T12:34:56Z', '2024-03-10T12:34:56+05:30', '2024-03-10T12:34:56-0800',
  '2024-03-10T12:34:56.123456789Z', '2024-03-10', '2024-03', '2024', '20240310T123456Z', '2024-W10-3', '2024-W10',
  '2024-070', '2024-03-10T24:00:00Z', '2024-02-30', '2024-13-01', '2024-03-10T12:34:56Z[Europe/Paris]',
  '2024-03-10T12:34:56[America/New_York]', '+002024-03-10T00:00:00Z', '2024-03-10T12:34:56,5Z', '2024-03-10T12:34Z',
  '2024-03-10T12Z', 'garbage', '', '1700000000', '2024-03-10 12:34:56', '2023-11-05T01:30:00-04:00'];
for (const s of isoInputs) {
  add(`$dtFromIso(${JSON.stringify(s)})`);
  add(`$dtFromIso(${JSON.stringify(s)}).[isValid, invalidReason, invalidExplanation, toMillis(), toISO(), zoneName, offset]`);
}
add('$dtFromIso(when).toMillis()');
add('$dtFromIso(when).toSeconds()');
add('$dtFromIso(when).toUnixInteger()');
add('$dtFromIso(when).valueOf()');
for (const zone of ['UTC', 'utc', 'UTC+5', 'UTC-03:30', 'America/New_York', 'america/new_york', 'Europe/Berlin',
  'Asia/Kolkata', 'Australia/Lord_Howe', 'Mars/Base', 'local', 'system', 'GMT', 'Etc/GMT+5', 'US/Eastern']) {
  add(`$dtFromIso(when, ${JSON.stringify(zone)}).[toISO(), zoneName, zone, offset, isOffsetFixed, isInDST, isValid, invalidReason, hour, day]`);
}
add('$dtFromIso(when, 330).toISO()');
add('$dtFromIso(when, -60).[toISO(), zoneName]');
const getters = ['year', 'quarter', 'month', 'day', 'hour', 'minute', 'second', 'millisecond', 'weekYear', 'weekNumber',
  'weekday', 'ordinal', 'monthShort', 'monthLong', 'weekdayShort', 'weekdayLong', 'offset', 'offsetNameShort',
  'offsetNameLong', 'zoneName', 'daysInMonth', 'daysInYear', 'weeksInWeekYear', 'isInLeapYear', 'isInDST',
  'isOffsetFixed', 'isValid', 'invalidReason', 'invalidExplanation', 'locale', 'numberingSystem', 'outputCalendar', 'zone'];
for (const s of ['2024-03-10T12:34:56.789Z', '2021-01-03T00:00:00Z', '2020-12-31T23:59:59Z', 'garbage']) {
  add(`$dtFromIso(${JSON.stringify(s)}).[${getters.map((g) => `$string(${g})`).join(', ')}]`);
}
add(`$dtFromIso(when, "America/New_York").[${getters.filter((g) => !g.startsWith('offsetName')).map((g) => `$string(${g})`).join(', ')}]`);
for (const fmt of ['yyyy-MM-dd', 'yyyy-MM-dd HH:mm:ss', "dd/MM/yyyy 'at' h:mm a", 'EEE, d MMM yyyy', 'EEEE MMMM d',
  'y yy yyyy yyyyyy', 'L LL LLL LLLL M MM MMM MMMM', 'd dd o ooo', 'H HH h hh m mm s ss S SSS u uu uuu', 'Z ZZ ZZZ z',
  'c ccc cccc E EEE EEEE', 'G GG GGGGG', 'kk kkkk W WW', 'q qq', 'X x', 'D DD DDD DDDD', 't tt T TT', 'f ff F FF',
  "'quoted' yyyy ''", 'yyyy-MM-dd\'T\'HH:mm:ss.SSSZZ', 'a', 'ZZZZ ZZZZZ', 'ttt TTT fff FFF']) {
  add(`$dtFromIso(when).toFormat(${JSON.stringify(fmt)})`);
  add(`$dtFromIso(when, "Asia/Kolkata").toFormat(${JSON.stringify(fmt)})`);
}
for (const e of ['$dtFromIso(when).toISODate()', '$dtFromIso(when).toISOTime()', '$dtFromIso(when).toISOWeekDate()',
  '$dtFromIso(when).toRFC2822()', '$dtFromIso(when).toHTTP()', '$dtFromIso(when).toSQL()', '$dtFromIso(when).toSQLDate()',
  '$dtFromIso(when).toSQLTime()', '$dtFromIso(when, "America/New_York").toRFC2822()',
  '$dtFromIso(when, "America/New_York").toHTTP()', '$dtFromIso(when, "America/New_York").toSQL()',
  '$dtFromIso(when).toISO({"suppressMilliseconds": true})', '$dtFromIso("2024-03-10T12:00:00Z").toISO({"suppressSeconds": true})',
  '$dtFromIso(when).toISO({"format": "basic"})', '$dtFromIso(when).toISO({"includeOffset": false})',
  '$dtFromIso(when, "Europe/Berlin").toISO({"extendedZone": true})', '$dtFromIso(when).toUTC().toISO()',
  '$dtFromIso(when).toUTC(60).toISO()', '$dtFromIso(when, "Asia/Kolkata").toUTC().toISO()',
  '$dtFromIso(when).setZone("America/New_York").toISO()',
  '$dtFromIso(when).setZone("America/New_York", {"keepLocalTime": true}).toISO()', '$dtFromIso(when).toLocal().toISO()',
  '$dtFromIso(when).plus({"days": 1}).toISO()', '$dtFromIso(when).plus({"day": 1, "hours": 2}).toISO()',
  '$dtFromIso(when).plus(1000).toISO()', '$dtFromIso(when).plus({"months": 1}).toISO()',
  '$dtFromIso("2024-01-31T00:00:00Z").plus({"months": 1}).toISO()', '$dtFromIso("2024-02-29T00:00:00Z").plus({"years": 1}).toISO()',
  '$dtFromIso(when).plus({"weeks": 2, "quarters": 1}).toISO()', '$dtFromIso(when).plus({"days": 1.5}).toISO()',
  '$dtFromIso(when).minus({"minutes": 90}).toISO()', '$dtFromIso(when).minus({"years": 1, "seconds": 1}).toISO()',
  '$dtFromIso(when).plus({"fortnights": 1})', '$dtFromIso(when).plus("P1D")',
  '$dtFromIso("2024-03-09T12:00:00", "America/New_York").plus({"days": 1}).toISO()',
  '$dtFromIso("2024-03-10T01:30:00-05:00", "America/New_York").plus({"hours": 1}).toISO()',
  '$dtFromIso(when).startOf("year").toISO()', '$dtFromIso(when).startOf("quarter").toISO()',
  '$dtFromIso(when).startOf("month").toISO()', '$dtFromIso(when).startOf("week").toISO()',
  '$dtFromIso(when).startOf("day").toISO()', '$dtFromIso(when).startOf("hour").toISO()',
  '$dtFromIso(when).startOf("minute").toISO()', '$dtFromIso(when).startOf("second").toISO()',
  '$dtFromIso(when).endOf("month").toISO()', '$dtFromIso(when).endOf("year").toISO()', '$dtFromIso(when).endOf("week").toISO()',
  '$dtFromIso(when).endOf("day").toISO()', '$dtFromIso(when).startOf("fortnight")',
  '$dtFromIso(when, "America/New_York").startOf("day").toISO()', '$dtFromIso(when).set({"hour": 3, "minute": 0}).toISO()',
  '$dtFromIso("2024-01-31T00:00:00Z").set({"month": 2}).toISO()', '$dtFromIso(when).set({"month": 13}).toISO()',
  '$dtFromIso(when).diff($dtFromIso("2024-03-09T12:00:00Z")).toMillis()',
  '$dtFromIso(when).diff($dtFromIso("2024-03-09T12:00:00Z"), "hours").as("hours")',
  '$dtFromIso(when).diff($dtFromIso("2024-03-09T12:00:00Z"))',
  '$dtFromIso(when).diff($dtFromIso("2023-01-15T00:00:00Z"), ["months", "days", "hours"]).toObject()',
  '$dtFromIso(when).diff($dtFromIso("2023-01-15T00:00:00Z"), "years").toObject()',
  '$dtFromIso("2023-01-15T00:00:00Z").diff($dtFromIso(when), "days").toObject()',
  '$dtFromIso(when).diff($dtFromIso("2024-03-01T00:00:00Z"), "weeks").as("days")',
  '$dtFromIso(when).diff($dtFromIso("2024-03-10T12:00:00Z"), ["minutes", "seconds"]).toISO()',
  '$dtFromIso(when).diff($dtFromIso("garbage")).toISO()', '$dtFromIso(when).diff($dtFromIso("2024-03-09T12:00:00Z")).get("milliseconds")',
  '$dtFromIso(when).diff($dtFromIso("2024-03-09T12:00:00Z")).negate().toISO()',
  '$dtFromIso(when).hasSame($dtFromIso("2024-03-10T01:00:00Z"), "day")',
  '$dtFromIso(when).hasSame($dtFromIso("2024-03-11T01:00:00Z"), "day")', '$dtFromIso(when).equals($dtFromIso(when))',
  '$dtFromIso(when).equals($dtFromIso(when, "UTC"))', '$dtFromIso(when).toJSDate()', '$dtFromIso(when).toLocaleString()',
  '$dtFromIso("garbage").[toISO(), toISODate(), toFormat("yyyy"), toMillis(), toRFC2822(), toSQL(), plus({"days": 1}).isValid, startOf("day").isValid, setZone("UTC").isValid]',
  '$string($dtFromIso(when))', '$string($dtFromIso("garbage"))', '$string({"at": $dtFromIso(when)})',
  '{"at": $dtFromIso(when), "list": [$dtFromIso(when, "UTC")], "d": $dtFromIso(when).diff($dtFromIso(when))}',
  '$dtFromIso(when).toMillis() - $dtFromIso("2024-03-10T12:00:00Z").toMillis()',
  '$dtFromIso(when) ~> $type()', '$dtFromIso(nope).isValid', '$dtFromIso(null).invalidExplanation',
  '$dtFromIso(20240310).toISO()']) {
  add(e);
}
for (const [date, fmt, opts] of [
  ['1700000000', 'fromSeconds'], [1700000000, 'fromSeconds'], ['1700000000.9', 'fromSeconds'], ['abc', 'fromSeconds'],
  ['1700000000', 'fromSeconds', { zone: 'America/New_York' }], ['2024-03-10T12:34:56+05:30', 'ISO'],
  ['2024-03-10T12:34:56+05:30', 'ISO', { setZone: true }], ['2024-03-10T12:34:56', 'ISO', { zone: 'Asia/Kolkata' }],
  ['Sun, 10 Mar 2024 12:34:56 +0000', 'RFC2822'], ['10 Mar 2024 12:34 GMT', 'RFC2822'],
  ['Sun, 10 Mar 24 12:34:56 EST', 'RFC2822'], ['Sun, 10 Mar 2024 12:34:56 +0530', 'RFC2822', { setZone: true }],
  ['Mon, 10 Mar 2024 12:34:56 +0000', 'RFC2822'], ['not a date', 'RFC2822'],
  ['2024-03-10', 'yyyy-MM-dd'], ['10/03/2024 14:05', 'dd/MM/yyyy HH:mm'], ['3/10/2024 2:05 PM', 'M/d/yyyy h:mm a'],
  ['3/10/2024 2:05 pm', 'M/d/yyyy h:mm a'], ['12:00 AM', 'hh:mm a'], ['March 10, 2024', 'MMMM d, yyyy'],
  ['Mar 10 24', 'MMM d yy'], ['sun 10 mar 2024', 'EEE d MMM yyyy'], ['Monday 10 Mar 2024', 'EEEE d MMM yyyy'],
  ['2024-03-10T12:34:56.789+0530', "yyyy-MM-dd'T'HH:mm:ss.SSSZZZ"], ['2024-03-10 12:34 +05:30', 'yyyy-MM-dd HH:mm ZZ'],
  ['2024-03-10 12:34 America/New_York', 'yyyy-MM-dd HH:mm z'], ['2024-070', 'yyyy-ooo'], ['2024-13-01', 'yyyy-MM-dd'],
  ['2024-03-10', 'yyyy/MM/dd'], ['20240310', 'yyyyMMdd'], ['1700000000', 'X'], ['2024 Q1', 'yyyy Qq'],
  ['2024-03-10 14:00 PM', 'yyyy-MM-dd HH:mm a'], ['2024-03-10', 'yyyy-MM-dd', { zone: 'UTC+2' }],
  ['2024-03-10', 'yyyy-MM-dd', { zone: 'Nowhere/Land' }],
]) {
  const args = [JSON.stringify(date), JSON.stringify(fmt)].concat(opts ? [JSON.stringify(opts)] : []).join(', ');
  add(`$dtFromFormat(${args})`);
  add(`$dtFromFormat(${args}).[isValid, invalidReason, invalidExplanation, toISO(), zoneName]`);
}
add('$dtFromFormat(nope, "yyyy")');
add('$dtFromFormat(5, "yyyy")');
add('$dtFromFormat("2024", nope)');

// --- the clock (frozen at NOW) ---------------------------------------------------------------------------------------
add('$now()');
add('$millis()');
add('$fromMillis($millis())');
add('$dtFromIso($now()).toMillis()');
add('$dtFromIso(when).diffNow().toMillis()');
add('$dtFromIso(when).diffNow("days").days');
add('$dtFromIso(when).diffNow(["months", "days"]).[months, days]');
add('$dtFromFormat("10:30", "HH:mm")');
add('$dtFromFormat("March 10", "MMMM d")');
add('$dtFromFormat("Friday", "EEEE").[isValid, toISO()]');
add('$dtFromIso("T10:30").toISO()');

// --- evaluate -------------------------------------------------------------------------------------------------------
function serialise(result) {
  return JSON.stringify(result, function (key, value) {
    if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) };
    if (value === undefined && Array.isArray(this)) return { $undefined: true };
    return value;
  });
}

const out = [];
for (const c of cases) {
  const row = { ...c };
  try {
    const r = await trutoJsonata(c.expr).evaluate(c.input, c.bindings);
    if (r === undefined) row.undefinedResult = true;
    else row.result = JSON.parse(serialise(r));
  } catch (err) {
    // jsonata's errors have a string code; DOMExceptions a legacy numeric one, plain Errors none: use the name.
    const jsonataError = typeof err.code === 'string' && /^[A-Z]\d{4}$/.test(err.code);
    row.code = jsonataError ? err.code : err.name || 'Error';
    row.message = String(err.message);
    if (!jsonataError) row.jsError = true;
  }
  out.push(row);
}

const here = dirname(fileURLToPath(import.meta.url));
const version = (pkg) => JSON.parse(readFileSync(join(here, 'node_modules', ...pkg.split('/'), 'package.json'), 'utf8')).version;
const header = {
  generator: 'tools/truto-oracle/generate-truto.mjs',
  reference: `@truto/truto-jsonata ${version('@truto/truto-jsonata')} (luxon ${version('luxon')}, qs ${version('qs')})`,
  timezone: 'UTC',
  now: NOW,
};
const target = join(here, '..', '..', 'tests', 'jsonata', 'truto', 'oracle_cases.json');
// One case per line; payload inputs are shared, so they are written once and referred to by name.
const inputs = { payload };
const lines = out.map((row) => {
  const r = { ...row };
  if (r.input === payload) r.input = '$payload';
  return ' ' + JSON.stringify(r);
});
writeFileSync(target, JSON.stringify({ ...header, inputs }, null, 1).replace(/\n}$/, ',\n "cases": [\n') + lines.join(',\n') + '\n ]\n}\n');
console.log(`wrote ${out.length} cases to ${target}`);
