// A small XML writer for Open311's schemaless, attribute-free documents. It maps a JSON-shaped value
// to elements the way the spec's Spark convention maps XML to JSON: an object becomes child elements
// in key order, an array becomes one child per item named by the singular of its container
// (services → service, service_requests → request), null an empty element; undefined is left out.

// Everything outside XML 1.0's Char production: C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

/** Text safe in XML content or attributes: invalid characters removed, markup characters escaped, CR kept. */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML_CHAR, '').replace(/[&<>"'\r]/g, (c) => ESCAPES[c]);
}

const ELEMENT_NAME = /^[A-Za-z_][\w.-]*$/;
const IRREGULAR_ITEMS: Readonly<Record<string, string>> = { service_requests: 'request', service_request_updates: 'request_update' };

const itemName = (container: string) =>
  IRREGULAR_ITEMS[container] ?? (container.length > 1 && container.endsWith('s') ? container.slice(0, -1) : `${container}_item`);

function element(name: string, value: unknown, indent: string): string {
  if (!ELEMENT_NAME.test(name)) throw new Error(`Not an XML element name: '${name}'`);
  let children: string[];
  if (Array.isArray(value)) {
    children = value.map((item) => element(itemName(name), item, `${indent}  `));
  } else if (value !== null && typeof value === 'object') {
    children = Object.entries(value)
      .filter(([, child]) => child !== undefined)
      .map(([key, child]) => element(key, child, `${indent}  `));
  } else if (value === null || (typeof value === 'number' && !Number.isFinite(value))) {
    children = [];
  } else {
    return `${indent}<${name}>${escapeXml(String(value))}</${name}>`;
  }
  return children.length ? `${indent}<${name}>\n${children.join('\n')}\n${indent}</${name}>` : `${indent}<${name}/>`;
}

/** A whole document: the XML declaration the spec asks for, then the root element. */
export function xmlDocument(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, value, '')}\n`;
}
