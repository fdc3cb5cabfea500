import { describe, expect, it } from 'vitest';
import { checkStixPattern } from '../../misp_modules/stix/pattern-validator.js';

/** Patterns the STIX 2.1 grammar accepts, one feature or more each. */
const VALID: readonly string[] = [
  "[url:value = 'http://example.com/foo']",
  "[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4']",
  "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
  "[file:hashes.'SHA-256' == 'aa' AND file:name = 'a.exe']",
  "[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8::/96']",
  "[domain-name:value = 'example.com' AND domain-name:resolves_to_refs[*].value = '198.51.100.3']",
  "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND email-message:body_multipart[*].body_raw_ref.name LIKE 'pdf%']",
  "[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\Software' AND windows-registry-key:values[0].data = 'x']",
  "[network-traffic:dst_port = 443 AND network-traffic:src_port > -1 AND network-traffic:dst_ref.value ISSUBSET '198.51.100.0/24']",
  "[network-traffic:src_ref.value ISSUPERSET '198.51.100.7']",
  "[file:size >= 1024 AND file:size <= +4096 AND file:size != 0 AND file:size <> 7 AND file:size < 9 AND file:size > 1]",
  "[x509-certificate:validity_not_before > t'2016-01-01T00:00:00Z' AND x509-certificate:validity_not_after < t'2016-12-31T23:59:59.123Z']",
  "[file:mime_type IN ('application/pdf', 'text/plain') AND file:size IN (1, 2.5, -3)]",
  '[file:name IN ()]',
  "[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=' OR artifact:payload_bin = b'' OR artifact:payload_bin = b'YWI=']",
  "[file:magic_number_hex = h'ffd8' OR file:magic_number_hex = h'']",
  '[file:is_encrypted = true OR x-custom:flag = false]',
  '[file:entropy = 7.5 OR file:entropy = .5 OR file:entropy = -0.25]',
  "[file:name NOT = 'a' AND file:name NOT LIKE 'b%' AND file:name NOT IN ('c')]",
  '[EXISTS file:name AND file:size = 0]',
  "[(file:name = 'a' OR file:name = 'b') AND file:size = 3]",
  "[user-account:'account_login' = 'root']",
  "[file:name = 'it\\'s' ] AND [file:name = 'back\\\\slash']",
  "[file:name = 'new\nline']",
  "[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [domain-name:value = 'example.com'] WITHIN 300 SECONDS",
  "([ipv4-addr:value = '1.2.3.4'] OR [ipv6-addr:value = '::1']) REPEATS 5 TIMES WITHIN 1.5 SECONDS",
  "[file:name = 'x'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
  "(([a-b:c = 1] AND [d-e:f = 2]) FOLLOWEDBY [g-h:i = 3])",
  "/* a comment */ [file:name = 'x'] // and a line comment",
  "[file:name = 'x'] // a comment\n AND [file:name = 'y']",
  "[file:name = 'x'] START t'2016-01-01T00:00:00.1Z' STOP t'2016-01-01T00:00:00.2Z'",
  "[process:extensions.'windows-process-ext'.aslr_enabled = true]",
  "[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'Mozilla/5.0']",
  "[process:arguments[-1] = 'x' AND process:arguments[0] = 'y']",
  "[x-misp-type:x_value = 'ok']",
  "[file:'LAST' = 'x']\u00a0\u2003",
  "[file:created = t'2016-02-29T12:00:00Z' AND file:modified = t'2016-12-31T23:59:60Z']",
];

/** Patterns the grammar or the specification's rules refuse, with a word the reason must contain. */
const INVALID: ReadonlyArray<readonly [string, string]> = [
  ['', 'expected an observation expression'],
  ["url:value = 'x'", 'expected an observation expression'],
  ["[url:value = 'x'", 'expected "]"'],
  ["[url:value = 'x']]", 'the end of the pattern'],
  ["[url:value = 'x'] [url:value = 'y']", 'the end of the pattern'],
  ["[url:value 'x']", 'comparison operator'],
  ["[url:value = 'unterminated]", 'not closed'],
  ["[url:value = 'bad \\n escape']", 'backslash may only escape'],
  ["[url:value = 'it's']", 'not closed'],
  ["[file:hashes.SHA-256 = 'x']", 'quote it'],
  ["[file:SHA-256 = 'x']", 'quote it'],
  ["[File:name = 'x']", 'object type name'],
  ["[ab:name = 'x']", 'object type name'],
  ["[file_x:name = 'x']", 'object type name'],
  ["[:name = 'x']", 'object path'],
  ["[file: = 'x']", 'property name'],
  ["[file:name. = 'x']", 'property name'],
  ["[file:names[a] = 'x']", 'list index'],
  ["[file:name = 'a' AND url:value = 'b']", 'same object type'],
  ["[file:name = 'a' AND (file:size = 1 OR url:value = 'b')]", 'same object type'],
  ['[file:size > true]', 'orderable literal'],
  ["[file:name LIKE 5]", 'string literal after LIKE'],
  ["[file:name MATCHES h'00']", 'string literal after MATCHES'],
  ["[file:name IN 'a']", 'expected "("'],
  ["[file:name IN ('a',)]", 'literal in the set'],
  ['[file:size = 007]', 'leading zero'],
  ["[file:x = t'2016-13-01T00:00:00Z']", 'timestamp literal'],
  ["[file:x = t'2015-02-29T00:00:00Z']", 'timestamp literal'],
  ["[file:x = t'2016-01-01 00:00:00Z']", 'timestamp literal'],
  ["[file:x = t'2016-01-01T00:00:00']", 'timestamp literal'],
  ["[file:x = b'abc']", 'binary literal'],
  ["[file:x = h'abc']", 'hex literal'],
  ["[file:x = h'zz']", 'hex literal'],
  ["[file:x = 'a'] WITHIN 0 SECONDS", 'positive number of seconds'],
  ["[file:x = 'a'] WITHIN 5", 'expected "SECONDS"'],
  ["[file:x = 'a'] REPEATS 0 TIMES", 'positive count'],
  ["[file:x = 'a'] REPEATS 2.5 TIMES", 'count after REPEATS'],
  ["[file:x = 'a'] START t'2016-01-01T00:00:00Z'", 'expected "STOP"'],
  ["[file:x = 'a'] START '2016-01-01T00:00:00Z' STOP t'2016-01-01T00:00:00Z'", 'timestamp after START'],
  ["[file:x = 'a'] START t'2016-01-02T00:00:00Z' STOP t'2016-01-01T00:00:00Z'", 'STOP timestamp must be later'],
  ["[file:x = 'a'] START t'2016-01-01T00:00:00Z' STOP t'2016-01-01T00:00:00Z'", 'STOP timestamp must be later'],
  ["[file:x = 'a'] AND", 'expected an observation expression'],
  ["[file:x = 'a'] FOLLOWEDBY", 'expected an observation expression'],
  ["[file:x = 'a' and file:y = 'b']", 'expected "]"'],
  ["[file:x = 'a'] /* open", 'comment is not closed'],
  ["[file:x = 'a' ; ]", 'unexpected character'],
  ["[file:x = TRUE]", 'expected a literal'],
  ["[file:x = 'a'] AND ()", 'expected an observation expression'],
  ['[]', 'object path'],
  ["[file:LAST = 'x']", 'property name'],
  ["[file:name = 'x']\ufeff", 'unexpected character'],
];

describe('checkStixPattern', () => {
  it.each(VALID)('accepts %s', (pattern) => {
    expect(checkStixPattern(pattern)).toEqual({ valid: true });
  });

  it.each(INVALID)('refuses %s', (pattern, reason) => {
    const check = checkStixPattern(pattern);
    expect(check.valid).toBe(false);
    if (!check.valid) expect(check.reason).toContain(reason);
  });

  it('says where the fault is', () => {
    expect(checkStixPattern("[file:name = 'a' AND url:value = 'b']")).toEqual({
      valid: false,
      reason: 'comparisons joined by AND must all test the same object type, found file, url',
      offset: 1,
    });
    expect(checkStixPattern("[file:hashes.'SHA-256' = 'a'] WITHIN -3 SECONDS")).toEqual({
      valid: false,
      reason: 'WITHIN needs a positive number of seconds',
      offset: 37,
    });
  });
});
