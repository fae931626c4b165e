import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admissionEnvironment, crdRuleEnvironment } from './environment.js';
import { CelCompileError, compileCel } from './program.js';
import { COST_LIMIT_EXCEEDED, CostMeter } from './cost.js';

const run = (src: string, vars: Record<string, unknown> = {}) => compileCel(crdRuleEnvironment(), src).evaluate({ self: null, oldSelf: null, ...vars });
const fails = (src: string, vars: Record<string, unknown> = {}): string => {
  try {
    run(src, vars);
  } catch (e) {
    return (e as { summary?: string }).summary ?? (e as Error).message;
  }
  assert.fail(`${src} did not fail`);
};
const compileError = (src: string): string => {
  try {
    compileCel(crdRuleEnvironment(), src);
  } catch (e) {
    assert.ok(e instanceof CelCompileError);
    return e.message;
  }
  assert.fail(`${src} compiled`);
};

test('lists: isSorted, sum, min, max, indexOf, lastIndexOf', () => {
  assert.equal(run('[1, 2, 2, 3].isSorted() && !["b", "a"].isSorted() && [].isSorted()'), true);
  assert.equal(run('[1, 2, 3].sum()'), 6n);
  assert.equal(run('[1.5, 2.5].sum()'), 4);
  assert.equal(run('[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3 && ["b", "c", "a"].max() == "c"'), true);
  assert.equal(run('self.sum() == 6 && self.max() == 3', { self: [1n, 2n, 3n] }), true);
  assert.equal(run('[1, 2, 3, 2].indexOf(2) == 1 && [1, 2, 3, 2].lastIndexOf(2) == 3 && [1].indexOf(5) == -1'), true);
  assert.equal(run('[[1], [2]].indexOf([2])'), 1n);
  assert.equal(fails('[].min() == 1'), 'min called on empty list');
  assert.equal(fails('self.max() == 1', { self: [] }), 'max called on empty list');
});

test('regex: find and findAll (RE2 inline flags become RegExp flags)', () => {
  assert.equal(run('"abc 123 def 456".find("[0-9]+")'), '123');
  assert.equal(run('"abc".find("[0-9]+")'), '');
  assert.deepEqual(run('"a1b22c333".findAll("[0-9]+")'), ['1', '22', '333']);
  assert.deepEqual(run('"a1b22c333".findAll("[0-9]+", 2)'), ['1', '22']);
  assert.deepEqual(run('"a1b22c333".findAll("[0-9]+", 0)'), []);
  assert.equal(run('"HeLLo".find("(?i)hello")'), 'HeLLo');
});

test('strings: charAt, indexOf, lastIndexOf, lowerAscii, upperAscii, replace, split, substring, trim, join, reverse', () => {
  assert.equal(run('"héllo".charAt(1)'), 'é');
  assert.equal(run('"abc".charAt(3)'), '');
  assert.match(fails('"abc".charAt(4) == ""'), /index out of range: 4/);
  assert.equal(run('"hello".indexOf("l") == 2 && "hello".lastIndexOf("l") == 3 && "hello".indexOf("l", 3) == 3'), true);
  assert.equal(run('"MiXeD".lowerAscii() == "mixed" && "MiXeD".upperAscii() == "MIXED"'), true);
  assert.equal(run('"a-b-c".replace("-", "+")'), 'a+b+c');
  assert.equal(run('"a-b-c".replace("-", "+", 1)'), 'a+b-c');
  assert.deepEqual(run('"a,b,c".split(",")'), ['a', 'b', 'c']);
  assert.deepEqual(run('"a,b,c".split(",", 2)'), ['a', 'b,c']);
  assert.equal(run('"hello".substring(1, 3) == "el" && "  x ".trim() == "x" && ["a", "b"].join("-") == "a-b"'), true);
  assert.equal(run('"abc".reverse()'), 'cba');
});

test('strings: format', () => {
  assert.equal(run('"%s has %d items costing %.2f (%x)".format([dyn("cart"), dyn(3), dyn(9.5), dyn(255)])'), 'cart has 3 items costing 9.50 (ff)');
  assert.equal(run('"%s and %s".format([dyn([1, 2]), dyn(true)])'), '[1, 2] and true');
  assert.equal(run('"%e".format([1234.5])'), '1.234500e+03');
  assert.equal(run('"%b %o %X %%".format([5, 8, 255])'), '101 10 FF %');
  assert.match(fails('"%d".format(["x"]) == ""'), /decimal clause can only be used on integers/);
});

test('url: parse and accessors, isURL', () => {
  assert.equal(run('url("https://user@example.com:8443/a/b?x=1&x=2&y=").getScheme()'), 'https');
  assert.equal(run('url("https://user@example.com:8443/a/b").getHost()'), 'example.com:8443');
  assert.equal(run('url("https://example.com:8443/a").getHostname()'), 'example.com');
  assert.equal(run('url("https://[::1]:80/").getHostname()'), '::1');
  assert.equal(run('url("https://example.com:8443/a").getPort()'), '8443');
  assert.equal(run('url("https://example.com").getPort()'), '');
  assert.equal(run('url("https://example.com/a%20b").getEscapedPath()'), '/a%20b');
  assert.equal(run('url("/absolute/path").getEscapedPath()'), '/absolute/path');
  assert.deepEqual(run('url("https://e.com/?x=1&x=2&y=").getQuery()'), { x: ['1', '2'], y: [''] });
  assert.equal(run('isURL("https://example.com") && !isURL("example.com") && !isURL("")'), true);
  assert.equal(fails('url("example.com") == url("x")'), 'URL parse error during conversion from string: parse "example.com": invalid URI for request');
});

test('quantity: parse, compare, arithmetic, conversions', () => {
  assert.equal(run('quantity("1") == quantity("1000m") && quantity("1Gi").isGreaterThan(quantity("1G")) && quantity("1k").isLessThan(quantity("1Ki"))'), true);
  assert.equal(run('quantity("500m").compareTo(quantity("1"))'), -1n);
  assert.equal(run('quantity("1.5").isInteger() == false && quantity("2k").asInteger() == 2000 && quantity("-3").sign() == -1'), true);
  assert.equal(run('quantity("1.5").asApproximateFloat()'), 1.5);
  assert.equal(run('quantity("1").add(quantity("500m")) == quantity("1500m") && quantity("1").add(2) == quantity("3") && quantity("1").sub(1).sign() == 0'), true);
  assert.equal(run('isQuantity("10Mi") && !isQuantity("ten")'), true);
  assert.match(fails('quantity("ten") == quantity("1")'), /quantities must match the regular expression/);
  assert.match(fails('quantity("1.5").asInteger() == 1'), /cannot convert value to integer/);
});

test('ip and cidr', () => {
  assert.equal(run('ip("10.1.2.3").family() == 4 && ip("fe80::1").family() == 6'), true);
  assert.equal(run('ip("127.0.0.1").isLoopback() && ip("::1").isLoopback() && ip("0.0.0.0").isUnspecified()'), true);
  assert.equal(run('ip("169.254.1.1").isLinkLocalUnicast() && ip("224.0.0.1").isLinkLocalMulticast() && ip("8.8.8.8").isGlobalUnicast()'), true);
  assert.equal(run('string(ip("2001:0db8:0000:0000:0000:0000:0000:0001"))'), '2001:db8::1');
  assert.equal(run('isIP("1.2.3.4") && !isIP("1.2.3") && !isIP("::ffff:1.2.3.4")'), true);
  assert.equal(run('cidr("10.0.0.0/8").containsIP("10.9.8.7") && !cidr("10.0.0.0/8").containsIP(ip("11.0.0.1")) && cidr("10.0.0.0/8").containsCIDR("10.1.0.0/16")'), true);
  assert.equal(run('cidr("10.1.2.3/8").prefixLength() == 8 && string(cidr("10.1.2.3/8").masked()) == "10.0.0.0/8" && cidr("10.1.2.3/8").ip() == ip("10.1.2.3")'), true);
  assert.equal(run('isCIDR("10.0.0.0/8") && !isCIDR("10.0.0.0/33")'), true);
  assert.match(fails('ip("1.2.3") == ip("1.2.3.4")'), /^IP Address "1.2.3" parse error during conversion from string/);
  assert.match(fails('ip("::ffff:1.2.3.4").family() == 6'), /IPv4-mapped IPv6 address is not allowed/);
});

test('sets', () => {
  assert.equal(run('sets.contains([1, 2, 3], [3, 1]) && !sets.contains([1], [2])'), true);
  assert.equal(run('sets.equivalent([1, 2, 2], [2, 1]) && sets.intersects([1, 2], [2, 5]) && !sets.intersects([1], [])'), true);
});

test('standard macros, optionals and has() on dynamic values', () => {
  assert.equal(run('self.all(k, self[k] > 0) && self.exists(k, k == "b") && self.exists_one(k, k == "a")', { self: { a: 1n, b: 2n } }), true);
  assert.deepEqual(run('self.filter(x, x > 1).map(x, x * 10)', { self: [1n, 2n, 3n] }), [20n, 30n]);
  assert.equal(run('has(self.a) && !has(self.z)', { self: { a: 1n } }), true);
  assert.equal(run('cel.bind(x, self.a * 2, x == 4)', { self: { a: 2n } }), true);
});

test('compile errors read as cel-go issues', () => {
  assert.equal(compileError('foo(self)'), "ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')\n | foo(self)\n | ^");
  assert.equal(compileError('"a" + 1 == "a1"'), "ERROR: <input>:1:1: found no matching overload for '_+_' applied to '(string, int)'\n | \"a\" + 1 == \"a1\"\n | ^");
  assert.match(compileError('self.a >'), /^ERROR: <input>:1:9: Syntax error: /);
  assert.match(compileError('nope == 1'), /undeclared reference to 'nope'/);
});

test('cost: a runaway expression stops at the per-call limit; small ones cost little', () => {
  const env = crdRuleEnvironment();
  const list = Array.from({ length: 300 }, (_, i) => BigInt(i));
  const p = compileCel(env, 'self.all(x, self.all(y, self.all(z, x + y + z >= 0)))');
  const m = new CostMeter();
  const t0 = Date.now();
  assert.throws(() => p.evaluate({ self: list, oldSelf: null }, m), new RegExp(COST_LIMIT_EXCEEDED));
  assert.ok(m.exceeded);
  assert.ok(Date.now() - t0 < 5000);
  const small = new CostMeter();
  assert.equal(compileCel(env, 'self.size() == 300').evaluate({ self: list, oldSelf: null }, small), true);
  assert.ok(small.used < 10, `cost ${small.used}`);
  // An error absorbed by || still stops the run once the limit is hit.
  assert.throws(() => compileCel(env, 'self.all(x, self.all(y, x >= 0)) || true').evaluate({ self: list, oldSelf: null }, new CostMeter(1000)), new RegExp(COST_LIMIT_EXCEEDED));
});

test('the admission environment takes undeclared variables and has the Kubernetes libraries', () => {
  const p = compileCel(admissionEnvironment(), 'object.spec.replicas <= 5 && quantity(object.spec.mem).isLessThan(quantity("1Gi"))');
  assert.equal(p.evaluate({ object: { spec: { replicas: 3n, mem: '512Mi' } } }), true);
});

test('list library results compare with plain operators on dynamic lists', () => {
  assert.equal(run('self.sum() > 5 && self.max() >= 3 && self.min() < 2 && self.indexOf(3) == 2', { self: [1n, 2n, 3n] }), true);
});
