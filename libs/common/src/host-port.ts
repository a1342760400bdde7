import net from 'node:net';

/**
 * A port written as text: digits only, 1-65535; undefined for anything else (signs, decimals,
 * spaces), so `'+25'` or `'25.0'` is never read as a port by accident.
 */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65_535 ? port : undefined;
}

/**
 * Splits `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal, as an operator
 * writes an address (the `query` command, the `seed` sheets). The port is undefined when
 * the text has none.
 */
export function parseHostPort(
  text: string,
): { host: string; port: number | undefined } | { error: string } {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return { error: `missing ']' in '${text}'` };
    host = text.slice(1, close);
    if (!net.isIPv6(host)) return { error: `'${host}' is not an IPv6 address` };
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return { error: `unexpected '${rest}' after ']'` };
      portText = rest.slice(1);
    }
  } else {
    const colons = text.split(':').length - 1;
    if (colons > 1) {
      // Several colons only make sense as an IPv6 literal, which cannot carry a port unbracketed.
      if (!net.isIPv6(text))
        return { error: `bad address '${text}' (IPv6 with a port: [addr]:port)` };
      host = text;
    } else {
      const colon = text.indexOf(':');
      host = colon < 0 ? text : text.slice(0, colon);
      if (colon >= 0) portText = text.slice(colon + 1);
    }
  }
  if (host === '') return { error: `missing host in '${text}'` };
  if (portText === undefined) return { host, port: undefined };
  const port = parsePort(portText);
  return port === undefined ? { error: `bad port '${portText}' (1-65535)` } : { host, port };
}
