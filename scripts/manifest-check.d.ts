/** Types of scripts/manifest-check.js, for the tests. */
export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
  line: number;
}
export class XmlError extends Error {}
export function parseXml(text: string): XmlNode;
export interface CheckOptions {
  baseUrl?: string;
  dir?: string;
  generated?: string[];
  namespace?: string;
}
export function checkManifest(text: string, options?: CheckOptions): { errors: string[]; warnings: string[]; root?: XmlNode };
export function resourceValue(root: XmlNode, id: string): string | undefined;
export function walk(node: XmlNode, ancestors?: XmlNode[]): Generator<[XmlNode, XmlNode[]]>;
export function local(name: string): string;
