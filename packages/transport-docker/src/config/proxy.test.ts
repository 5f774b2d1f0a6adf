import { describe, expect, it } from 'vitest';
import { parseIp, parseNoProxy, parseProxyUrl, proxyEnvironment, proxyForUrl, useProxy } from './proxy.js';

const shown = (url: URL | undefined) => (url === undefined ? 'none' : `${url.protocol}//${url.host}`);

describe('the environment', () => {
  it('takes the upper-case names first, then the lower-case ones; empty is unset', () => {
    expect(
      proxyEnvironment({
        HTTP_PROXY: 'upper',
        http_proxy: 'lower',
        https_proxy: 'secure',
        NO_PROXY: '',
        no_proxy: 'np',
      }),
    ).toEqual({ httpProxy: 'upper', httpsProxy: 'secure', noProxy: 'np', cgi: false });
    expect(proxyEnvironment({ REQUEST_METHOD: 'GET' }).cgi).toBe(true);
  });
});

describe('proxyForUrl', () => {
  it.each([
    [
      { HTTP_PROXY: 'cache.corp.example.com:1234' },
      'http://example.com',
      'http://cache.corp.example.com:1234',
    ],
    [{ HTTP_PROXY: 'cache.corp.example.com' }, 'http://example.com', 'http://cache.corp.example.com'],
    [{ HTTP_PROXY: 'localhost' }, 'http://example.com', 'http://localhost'],
    [{ HTTP_PROXY: '10.0.0.1:3128' }, 'http://example.com', 'http://10.0.0.1:3128'],
    [
      { HTTP_PROXY: 'https://cache.corp.example.com' },
      'http://example.com',
      'https://cache.corp.example.com',
    ],
    [{ HTTP_PROXY: 'socks5://127.0.0.1' }, 'http://example.com', 'socks5://127.0.0.1'],
    [{ HTTP_PROXY: 'foo://host' }, 'http://example.com', 'foo://host'],
    [
      { HTTP_PROXY: 'http.proxy.tld', HTTPS_PROXY: 'secure.proxy.tld' },
      'http://insecure.tld/',
      'http://http.proxy.tld',
    ],
    [
      { HTTP_PROXY: 'http.proxy.tld', HTTPS_PROXY: 'secure.proxy.tld' },
      'https://secure.tld/',
      'http://secure.proxy.tld',
    ],
    [{ HTTPS_PROXY: 'https://secure.proxy.tld' }, 'https://secure.tld/', 'https://secure.proxy.tld'],
    [{ HTTP_PROXY: 'http.proxy.tld' }, 'https://secure.tld/', 'none'],
    [{ HTTP_PROXY: 'http.proxy.tld' }, 'ftp://insecure.tld/', 'none'],
    [
      { HTTPS_PROXY: 'https://secure.proxy.tld', REQUEST_METHOD: 'GET' },
      'https://secure.tld/',
      'https://secure.proxy.tld',
    ],
    [{}, 'http://example.com', 'none'],
    [{ NO_PROXY: 'example.com', HTTP_PROXY: 'proxy' }, 'http://example.com/', 'none'],
    [{ NO_PROXY: '.example.com', HTTP_PROXY: 'proxy' }, 'http://example.com/', 'http://proxy'],
    [{ NO_PROXY: 'ample.com', HTTP_PROXY: 'proxy' }, 'http://example.com/', 'http://proxy'],
    [{ NO_PROXY: 'example.com', HTTP_PROXY: 'proxy' }, 'http://foo.example.com/', 'none'],
    [{ NO_PROXY: '.foo.com', HTTP_PROXY: 'proxy' }, 'http://example.com/', 'http://proxy'],
    [{ NO_PROXY: '.示例.com', HTTP_PROXY: 'proxy' }, 'http://www.示例.com', 'none'],
    [{ NO_PROXY: 'xn--fsq092h.com', HTTP_PROXY: 'proxy' }, 'http://www.示例.com', 'none'],
    [{ NO_PROXY: '示例.com', HTTP_PROXY: 'proxy' }, 'http://www.xn--fsq092h.com', 'none'],
    // host:port entries match only that port; the URL's default port counts.
    [{ NO_PROXY: 'registry.example:5000', HTTPS_PROXY: 'p' }, 'https://registry.example:5000/v2/', 'none'],
    [{ NO_PROXY: 'registry.example:5000', HTTPS_PROXY: 'p' }, 'https://registry.example/v2/', 'http://p'],
    [{ NO_PROXY: 'registry.example:443', HTTPS_PROXY: 'p' }, 'https://registry.example/v2/', 'none'],
    // Loopback never goes through a proxy, even when NO_PROXY does not list it.
    [{ HTTP_PROXY: 'p' }, 'http://localhost:5000/v2/', 'none'],
    [{ HTTP_PROXY: 'p' }, 'http://127.0.0.1:5000/v2/', 'none'],
    [{ HTTP_PROXY: 'p' }, 'http://[::1]:5000/v2/', 'none'],
    [{ HTTP_PROXY: 'p' }, 'http://[::ffff:127.0.0.1]:5000/v2/', 'none'],
    [{ NO_PROXY: '*', HTTPS_PROXY: 'p' }, 'https://quay.io/v2/', 'none'],
    [{ no_proxy: 'quay.io', https_proxy: 'p' }, 'https://quay.io/v2/', 'none'],
  ])('with %j, %s goes through %s', (env, target, expected) => {
    expect(shown(proxyForUrl(target, env))).toBe(expected);
  });

  it('refuses HTTP_PROXY in a CGI environment (httpoxy), as Go does', () => {
    expect(() =>
      proxyForUrl('http://example.com', { HTTP_PROXY: 'http://10.1.2.3:8080', REQUEST_METHOD: 'GET' }),
    ).toThrow(/refusing to use HTTP_PROXY value in CGI environment/);
  });

  it('accepts an already read ProxyEnvironment', () => {
    const config = proxyEnvironment({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'internal.example' });
    expect(shown(proxyForUrl(new URL('https://quay.io/v2/'), config))).toBe('http://proxy:3128');
    expect(proxyForUrl('https://a.internal.example/v2/', config)).toBeUndefined();
  });
});

describe('NO_PROXY matching (Go httpproxy cases)', () => {
  const noProxy =
    'foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64';
  const matchers = parseNoProxy(noProxy);

  it.each([
    ['localhost', false],
    ['127.0.0.1', false],
    ['127.0.0.2', false],
    ['[::1]', false],
    ['[::2]', true],
    ['192.168.1.1', false],
    ['192.168.1.2', true],
    ['192.168.1.3', false],
    ['192.168.1.4', true],
    ['10.0.0.2', false],
    ['10.0.0.4', true],
    ['[2001:db8::52:0:1]', false],
    ['[2001:db8::52:0:2]', true],
    ['[2001:db8::52:0:3]', false],
    ['[2002:db8:a::123]', false],
    ['[fe80::424b:c8be:1643:a1b6]', true],
    ['barbaz.net', true],
    ['www.barbaz.net', false],
    ['foobar.com', false],
    ['www.foobar.com', false],
    ['foofoobar.com', true],
    ['baz.com', true],
    ['localhost.net', true],
    ['local.localhost', true],
    ['barbarbaz.net', true],
    ['wildcard.io', true],
    ['nested.wildcard.io', false],
    ['awildcard.io', true],
  ])('%s on port 80 uses the proxy: %s', (host, expected) => {
    expect(useProxy(host, '80', matchers)).toBe(expected);
  });

  it('* matches everything; invalid entries are ignored', () => {
    expect(useProxy('example.com', '80', parseNoProxy('*'))).toBe(false);
    expect(useProxy('example.com', '80', parseNoProxy(':1'))).toBe(true);
    expect(useProxy('example.com', '80', parseNoProxy(' , ,'))).toBe(true);
  });

  it('an IPv4 CIDR matches IPv4-mapped addresses; a domain entry never matches an IP', () => {
    expect(useProxy('::ffff:10.0.0.1', '80', parseNoProxy('10.0.0.0/8'))).toBe(false);
    expect(useProxy('10.0.0.1', '80', parseNoProxy('0.1'))).toBe(true);
  });
});

describe('helpers', () => {
  it.each([
    ['1.2.3.4', true],
    ['::1', true],
    ['::ffff:1.2.3.4', true],
    ['2001:db8::1', true],
    ['01.2.3.4', false],
    ['1.2.3', false],
    ['1:2:3:4:5:6:7:8:9', false],
    ['example.com', false],
  ])('parseIp(%s) is an address: %s', (text, expected) => {
    expect(parseIp(text) !== undefined).toBe(expected);
  });

  it('parseProxyUrl gives http:// to a bare host and nothing for an empty value', () => {
    expect(parseProxyUrl('proxy.local:3128')?.href).toBe('http://proxy.local:3128/');
    expect(parseProxyUrl('')).toBeUndefined();
    expect(parseProxyUrl(undefined)).toBeUndefined();
  });
});
