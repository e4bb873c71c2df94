import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Service, ServiceAttribute, ServiceDefinition } from './model';
import { renderJson, renderXml } from './render';

// Real answers of live Open311 servers (Washington DC's XML, Bloomington's JSON), kept next to the
// repository in ../shared/data. Reading them into our models and rendering them back must give the
// same documents: the same element names, nesting and text, so clients written against those
// servers read ours. OPEN311_EXAMPLES_DIR points elsewhere; without the files these tests are skipped.
const examplesDir = process.env.OPEN311_EXAMPLES_DIR ?? resolve(__dirname, '../../../../../shared/data');
const example = (file: string) => readFileSync(resolve(examplesDir, file), 'utf8');
const describeWithExamples = existsSync(resolve(examplesDir, 'dc-open311-services.xml')) ? describe : describe.skip;

/** A test-only reader for attribute-free XML: elements, text, entities; declarations and comments skipped. */
interface Element {
  name: string;
  children: Element[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const decode = (text: string) =>
  text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (_, ref: string) =>
    ref.startsWith('#') ? String.fromCodePoint(Number(ref.replace(/^#x/i, '0x').replace('#', ''))) : ENTITIES[ref],
  );

function readXml(source: string): Element {
  const document: Element = { name: '#document', children: [], text: '' };
  const open = [document];
  for (const [, closing, name, selfClosing, text] of source.matchAll(/<\?[^>]*\?>|<!--[\s\S]*?-->|<(\/?)([A-Za-z_][\w.-]*)\s*(\/?)>|([^<]+)/g)) {
    const parent = open[open.length - 1];
    if (text !== undefined) parent.text += decode(text);
    else if (closing && open.pop()?.name !== name) throw new Error(`unbalanced </${name}>`);
    else if (name && !closing) {
      const element: Element = { name, children: [], text: '' };
      parent.children.push(element);
      if (!selfClosing) open.push(element);
    }
  }
  return document.children[0];
}

/** An element as names, nesting and leaf text; sibling fields in any order, repeated items in theirs. */
type Shape = { name: string; text: string } | { name: string; children: Shape[] };
const shape = (element: Element): Shape =>
  element.children.length
    ? { name: element.name, children: [...element.children].sort((a, b) => a.name.localeCompare(b.name)).map(shape) }
    : { name: element.name, text: element.text };

const field = (element: Element, name: string) => element.children.find((child) => child.name === name);
const text = (element: Element, name: string) => field(element, name)?.text ?? '';
const keywords = (list: string) => (list ? list.split(', ') : []);

describeWithExamples('real Open311 documents', () => {
  it("renders Washington DC's service list back element for element", () => {
    const source = readXml(example('dc-open311-services.xml'));
    const services: Service[] = source.children.map((service) => ({
      service_code: text(service, 'service_code'),
      service_name: text(service, 'service_name'),
      description: text(service, 'description'),
      metadata: text(service, 'metadata') === 'true',
      type: text(service, 'type') as Service['type'],
      keywords: keywords(text(service, 'keywords')),
      group: text(service, 'group'),
    }));
    expect(services).toHaveLength(86);

    expect(shape(readXml(renderXml('services', services)))).toEqual(shape(source));
  });

  it("renders Washington DC's pothole service definition back element for element", () => {
    const source = readXml(example('dc-open311-service-definition-S0301.xml'));
    const attributes = field(source, 'attributes')?.children ?? [];
    const definition: ServiceDefinition = {
      service_code: text(source, 'service_code'),
      attributes: attributes.map(
        (attribute): ServiceAttribute => ({
          variable: text(attribute, 'variable') === 'true',
          code: text(attribute, 'code'),
          datatype: text(attribute, 'datatype') as ServiceAttribute['datatype'],
          required: text(attribute, 'required') === 'true',
          datatype_description: text(attribute, 'datatype_description'),
          order: Number(text(attribute, 'order')),
          description: text(attribute, 'description'),
          values: (field(attribute, 'values')?.children ?? []).map((value) => ({ key: text(value, 'key'), name: text(value, 'name') })),
        }),
      ),
    };
    expect(definition.attributes).toHaveLength(6);

    expect(shape(readXml(renderXml('service_definition', definition)))).toEqual(shape(source));
  });

  it("renders Bloomington's JSON service list back value for value", () => {
    const source: (Omit<Service, 'keywords'> & { keywords: string })[] = JSON.parse(example('bloomington-open311-services.json'));
    const services: Service[] = source.map((service) => ({ ...service, keywords: keywords(service.keywords) }));

    expect(JSON.parse(renderJson('services', services))).toEqual(source);
  });
});
