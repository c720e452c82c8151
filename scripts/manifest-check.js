/**
 * Offline checks of the add-in's XML manifest (office-addin-manifest's `validate` sends the file
 * to a Microsoft web service; this runs anywhere). Used by scripts/validate-manifest.js
 * (`npm run validate`) and by test/manifest.
 *
 * It checks what breaks sideloading in practice: well-formed XML, the elements Office requires
 * in the order its schema wants, every resid defined (and of the right kind) with ids of at most
 * 32 characters, string lengths, https everywhere, the shared runtime (one page for the runtime,
 * the functions and the task pane, lifetime long), CustomFunctionsRuntime 1.2 (custom functions'
 * error messages), the custom functions' extension point and
 * namespace, and that the files the URLs name exist with the icon sizes declared.
 */
"use strict";
const fs = require("fs");
const path = require("path");

// ---- a small XML parser (elements, attributes, text, comments, CDATA; no DTDs) -------------

class XmlError extends Error {}

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(s, where) {
  return s.replace(/&([^;&\s]*);?/g, (m, name) => {
    if (!m.endsWith(";")) throw new XmlError(`${where}: "&" must start an entity such as &amp;`);
    if (name in ENTITIES) return ENTITIES[name];
    if (/^#x[0-9a-fA-F]+$/.test(name)) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (/^#[0-9]+$/.test(name)) return String.fromCodePoint(parseInt(name.slice(1), 10));
    throw new XmlError(`${where}: unknown entity &${name};`);
  });
}

/**
 * Parses a document into { name, attrs, children, text, line } nodes and returns the root
 * element. Throws XmlError with a line number when the text is not well-formed.
 */
function parseXml(text) {
  let i = 0;
  const lineAt = (pos) => {
    let n = 1;
    for (let k = 0; k < pos && k < text.length; k++) if (text.charCodeAt(k) === 10) n++;
    return n;
  };
  const fail = (msg, pos = i) => {
    throw new XmlError(`line ${lineAt(pos)}: ${msg}`);
  };
  const NAME = /[A-Za-z_][\w.:-]*/y;
  const readName = () => {
    NAME.lastIndex = i;
    const m = NAME.exec(text);
    if (!m) fail("expected a name");
    i += m[0].length;
    return m[0];
  };
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const skipMisc = () => {
    // whitespace, comments and processing instructions between elements
    for (;;) {
      skipSpace();
      if (text.startsWith("<!--", i)) {
        const end = text.indexOf("-->", i + 4);
        if (end < 0) fail("unclosed comment");
        if (text.slice(i + 4, end).includes("--")) fail('"--" inside a comment');
        i = end + 3;
      } else if (text.startsWith("<?", i)) {
        const end = text.indexOf("?>", i + 2);
        if (end < 0) fail("unclosed processing instruction");
        i = end + 2;
      } else if (text.startsWith("<!DOCTYPE", i)) {
        fail("DOCTYPE declarations are not allowed");
      } else {
        return;
      }
    }
  };

  const parseElement = () => {
    const start = i;
    if (text[i] !== "<") fail("expected an element");
    i++;
    const name = readName();
    const node = { name, attrs: {}, children: [], text: "", line: lineAt(start) };
    for (;;) {
      const before = i;
      skipSpace();
      if (text.startsWith("/>", i)) {
        i += 2;
        return node;
      }
      if (text[i] === ">") {
        i++;
        break;
      }
      if (i === before) fail(`expected whitespace, ">" or "/>" in <${name}>`);
      const attr = readName();
      skipSpace();
      if (text[i] !== "=") fail(`attribute ${attr} of <${name}> needs a value`);
      i++;
      skipSpace();
      const q = text[i];
      if (q !== '"' && q !== "'") fail(`the value of ${attr} must be quoted`);
      const end = text.indexOf(q, i + 1);
      if (end < 0) fail(`unclosed value of ${attr}`);
      const raw = text.slice(i + 1, end);
      if (raw.includes("<")) fail(`"<" in the value of ${attr}`);
      if (attr in node.attrs) fail(`attribute ${attr} repeated in <${name}>`);
      node.attrs[attr] = decodeEntities(raw, `line ${lineAt(i)}`);
      i = end + 1;
    }
    // content
    for (;;) {
      if (i >= text.length) fail(`<${name}> (line ${node.line}) is not closed`);
      if (text.startsWith("</", i)) {
        i += 2;
        const closing = readName();
        if (closing !== name) fail(`</${closing}> closes <${name}> (line ${node.line})`);
        skipSpace();
        if (text[i] !== ">") fail(`expected ">" after </${closing}`);
        i++;
        return node;
      }
      if (text.startsWith("<!--", i) || text.startsWith("<?", i)) {
        skipMisc();
        continue;
      }
      if (text.startsWith("<![CDATA[", i)) {
        const end = text.indexOf("]]>", i);
        if (end < 0) fail("unclosed CDATA section");
        node.text += text.slice(i + 9, end);
        i = end + 3;
        continue;
      }
      if (text[i] === "<") {
        node.children.push(parseElement());
        continue;
      }
      const next = text.indexOf("<", i);
      const end = next < 0 ? text.length : next;
      node.text += decodeEntities(text.slice(i, end), `line ${lineAt(i)}`);
      i = end;
    }
  };

  if (text.charCodeAt(0) === 0xfeff) i = 1;
  skipMisc();
  if (i >= text.length) fail("the document is empty");
  const root = parseElement();
  skipMisc();
  if (i < text.length) fail("content after the root element");
  return root;
}

// ---- navigation helpers ---------------------------------------------------------------------

/** The local part of a qualified name: "bt:Image" → "Image". */
const local = (name) => name.slice(name.indexOf(":") + 1);
const kids = (node, name) => (node ? node.children.filter((c) => local(c.name) === name) : []);
const kid = (node, name) => kids(node, name)[0];
function* walk(node, ancestors = []) {
  yield [node, ancestors];
  for (const c of node.children) yield* walk(c, [...ancestors, node]);
}
/** The xsi:type of an element, without its prefix. */
const xsiType = (node) => {
  for (const [k, v] of Object.entries(node.attrs)) if (local(k) === "type" && k.includes(":")) return local(v);
  return undefined;
};

// ---- PNG size -------------------------------------------------------------------------------

function pngSize(file) {
  const b = fs.readFileSync(file);
  if (b.length < 24 || b.readUInt32BE(0) !== 0x89504e47 || b.toString("ascii", 12, 16) !== "IHDR") return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

// ---- the checks -----------------------------------------------------------------------------

const TOP_ORDER = [
  "Id", "AlternateId", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description",
  "IconUrl", "HighResolutionIconUrl", "SupportUrl", "AppDomains", "Hosts", "Requirements",
  "DefaultSettings", "Permissions", "VersionOverrides",
];
const TOP_REQUIRED = ["Id", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description", "IconUrl", "DefaultSettings", "Permissions"];
const RESOURCE_KINDS = { Images: "image", Urls: "url", ShortStrings: "short string", LongStrings: "long string" };
const MAX_ID = 32;

/** Which kind of resource a resid on this element must name. */
function residKind(node, parent) {
  const n = local(node.name);
  if (n === "Image") return "image";
  if (n === "SourceLocation" || n === "FunctionFile" || n === "Runtime" || n === "LearnMoreUrl") return "url";
  if (n === "Description" && parent && local(parent.name) !== "OfficeApp") return "long string";
  if (n === "Label" || n === "Title" || n === "Namespace") return "short string";
  return undefined;
}

/**
 * Checks a manifest's text. options:
 *   baseUrl   the address the files are served from (e.g. "https://localhost:3000/")
 *   dir       the folder that address maps to; every URL under baseUrl must name a file there
 *   generated files under baseUrl that a build will produce (not required to exist in dir)
 *   namespace the custom functions' namespace expected (default "MIXEDLM")
 * Returns { errors: string[], warnings: string[], root } (root undefined if not well-formed).
 */
function checkManifest(text, options = {}) {
  const errors = [];
  const warnings = [];
  let root;
  try {
    root = parseXml(text);
  } catch (e) {
    if (e instanceof XmlError) return { errors: [`not well-formed XML: ${e.message}`], warnings };
    throw e;
  }
  const expectNamespace = options.namespace || "MIXEDLM";

  // -- the OfficeApp element
  if (root.name !== "OfficeApp") errors.push(`the root element is <${root.name}>, not <OfficeApp>`);
  if (root.attrs.xmlns !== "http://schemas.microsoft.com/office/appforoffice/1.1") {
    errors.push("<OfficeApp> must declare xmlns=\"http://schemas.microsoft.com/office/appforoffice/1.1\"");
  }
  if (xsiType(root) !== "TaskPaneApp") errors.push('<OfficeApp> must have xsi:type="TaskPaneApp"');
  const tops = root.children.map((c) => local(c.name));
  for (const r of TOP_REQUIRED) if (!tops.includes(r)) errors.push(`<OfficeApp> lacks <${r}>`);
  let last = -1;
  for (const t of tops) {
    const k = TOP_ORDER.indexOf(t);
    if (k < 0) errors.push(`<${t}> is not an element of <OfficeApp>`);
    else if (k < last) errors.push(`<${t}> is out of order: the schema wants ${TOP_ORDER.join(", ")}`);
    else last = k;
  }
  for (const t of new Set(tops)) if (tops.filter((x) => x === t).length > 1) errors.push(`<${t}> appears more than once`);

  const id = kid(root, "Id");
  if (id && !/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(id.text.trim())) {
    errors.push(`<Id> must be a GUID, not "${id.text.trim()}"`);
  }
  const version = kid(root, "Version");
  if (version && !/^\d{1,5}(\.\d{1,5}){0,3}$/.test(version.text.trim())) errors.push(`<Version> must look like 1.0.0.0, not "${version.text.trim()}"`);
  const lengthOf = (name, max) => {
    const n = kid(root, name);
    const v = n && n.attrs.DefaultValue;
    if (n && (v === undefined || v.trim() === "")) errors.push(`<${name}> needs a DefaultValue`);
    else if (v && v.length > max) errors.push(`<${name}> is ${v.length} characters long; the limit is ${max}`);
  };
  lengthOf("DisplayName", 125);
  lengthOf("Description", 250);
  const hosts = kids(kid(root, "Hosts"), "Host").map((h) => h.attrs.Name);
  if (!hosts.includes("Workbook")) errors.push('<Hosts> must list <Host Name="Workbook"/> (Excel)');
  const sets = kids(kid(kid(root, "Requirements"), "Sets"), "Set");
  const shared = sets.find((s) => s.attrs.Name === "SharedRuntime");
  if (!shared) errors.push('<Requirements> must ask for <Set Name="SharedRuntime" MinVersion="1.1"/>');
  else if (shared.attrs.MinVersion !== "1.1") warnings.push(`SharedRuntime MinVersion is ${shared.attrs.MinVersion}, not 1.1`);
  // the functions' #VALUE! messages are CustomFunctions.Error(code, message): CustomFunctionsRuntime 1.2
  const cfr = sets.find((s) => s.attrs.Name === "CustomFunctionsRuntime");
  const [major, minor] = ((cfr && cfr.attrs.MinVersion) || "0").split(".").map(Number);
  if (!cfr) errors.push('<Requirements> must ask for <Set Name="CustomFunctionsRuntime" MinVersion="1.2"/> (error messages from custom functions)');
  else if (major < 1 || (major === 1 && !(minor >= 2))) {
    errors.push(`CustomFunctionsRuntime MinVersion is ${cfr.attrs.MinVersion}: error messages from custom functions need 1.2`);
  }
  const perm = kid(root, "Permissions");
  if (perm && !["Restricted", "ReadDocument", "ReadWriteDocument", "WriteDocument", "ReadAllDocument"].includes(perm.text.trim())) {
    errors.push(`<Permissions> "${perm.text.trim()}" is not a permission level`);
  }

  // -- every URL is https
  const urls = [];
  for (const [node] of walk(root)) {
    const n = local(node.name);
    if (["IconUrl", "HighResolutionIconUrl", "SupportUrl", "SourceLocation", "Image", "Url"].includes(n) && node.attrs.DefaultValue !== undefined) {
      urls.push({ url: node.attrs.DefaultValue, where: `<${node.name}${node.attrs.id ? ` id="${node.attrs.id}"` : ""}> (line ${node.line})`, node });
    }
    if (n === "AppDomain") urls.push({ url: node.text.trim(), where: `<AppDomain> (line ${node.line})`, node });
    if (n === "Override" && node.attrs.Value !== undefined && /^[a-z]+:/i.test(node.attrs.Value)) {
      urls.push({ url: node.attrs.Value, where: `<Override> (line ${node.line})`, node });
    }
  }
  for (const u of urls) if (!/^https:\/\/[^\s/]+/.test(u.url)) errors.push(`${u.where}: "${u.url}" is not an https URL`);

  // -- VersionOverrides: resources and resids
  const vo = kid(root, "VersionOverrides");
  const resources = new Map(); // id → { kind, value, node }
  if (!vo) {
    errors.push("<VersionOverrides> is missing: it carries the custom functions, the ribbon button and the shared runtime");
  } else {
    if (vo.attrs.xmlns !== "http://schemas.microsoft.com/office/taskpaneappversionoverrides") {
      errors.push('<VersionOverrides> must declare xmlns="http://schemas.microsoft.com/office/taskpaneappversionoverrides"');
    }
    if (xsiType(vo) !== "VersionOverridesV1_0") errors.push('<VersionOverrides> must have xsi:type="VersionOverridesV1_0"');
    const res = kid(vo, "Resources");
    if (!res) errors.push("<VersionOverrides> lacks <Resources>");
    for (const group of res ? res.children : []) {
      const kind = RESOURCE_KINDS[local(group.name)];
      if (!kind) {
        errors.push(`<${group.name}> is not a resource collection`);
        continue;
      }
      for (const item of group.children) {
        const rid = item.attrs.id;
        if (!rid) {
          errors.push(`<${item.name}> (line ${item.line}) has no id`);
          continue;
        }
        if (rid.length > MAX_ID) errors.push(`resource id "${rid}" is ${rid.length} characters long; the limit is ${MAX_ID}`);
        if (resources.has(rid)) errors.push(`resource id "${rid}" is defined twice`);
        const value = item.attrs.DefaultValue;
        if (value === undefined || value === "") errors.push(`resource "${rid}" has no DefaultValue`);
        const max = kind === "short string" ? 125 : kind === "long string" ? 250 : 2048;
        if (value && value.length > max) errors.push(`resource "${rid}" is ${value.length} characters long; a ${kind} takes at most ${max}`);
        resources.set(rid, { kind, value, node: item });
      }
    }
    const used = new Set();
    for (const [node, ancestors] of walk(vo)) {
      if (node.attrs.resid === undefined) continue;
      const rid = node.attrs.resid;
      used.add(rid);
      const where = `<${node.name}> (line ${node.line})`;
      if (rid.length > MAX_ID) errors.push(`${where}: resid "${rid}" is ${rid.length} characters long; the limit is ${MAX_ID}`);
      const r = resources.get(rid);
      if (!r) {
        errors.push(`${where}: resid "${rid}" is not defined in <Resources>`);
        continue;
      }
      const want = residKind(node, ancestors[ancestors.length - 1]);
      if (want && want !== r.kind) errors.push(`${where}: resid "${rid}" names a ${r.kind}, where a ${want} is expected`);
    }
    for (const rid of resources.keys()) if (!used.has(rid)) warnings.push(`resource "${rid}" is defined but never used`);

    // element ids (groups, controls) unique, at most 125 characters
    const seen = new Set();
    for (const [node] of walk(vo)) {
      if (local(node.name) === "Resources") continue;
      const eid = node.attrs.id;
      if (eid === undefined || ["Image", "Url", "String"].includes(local(node.name))) continue;
      if (seen.has(eid)) errors.push(`the id "${eid}" is used twice`);
      seen.add(eid);
      if (eid.length > 125) errors.push(`the id "${eid}" is longer than 125 characters`);
    }

    // -- the Excel host: shared runtime, custom functions, the task pane button
    const host = kids(kid(vo, "Hosts"), "Host").find((h) => xsiType(h) === "Workbook");
    const resolve = (rid) => (resources.get(rid) || {}).value;
    if (!host) {
      errors.push('<VersionOverrides> has no <Host xsi:type="Workbook">');
    } else {
      const runtimes = kids(kid(host, "Runtimes"), "Runtime");
      if (runtimes.length !== 1) errors.push("the Workbook host needs one <Runtimes><Runtime/></Runtimes> (the shared runtime)");
      const runtime = runtimes[0];
      if (runtime && runtime.attrs.lifetime !== "long") errors.push('the shared <Runtime> needs lifetime="long", so the functions keep running with the task pane closed');
      const runtimeUrl = runtime && resolve(runtime.attrs.resid);

      const cf = kids(kid(host, "AllFormFactors"), "ExtensionPoint").find((e) => xsiType(e) === "CustomFunctions");
      if (!cf) {
        errors.push('the Workbook host has no <AllFormFactors><ExtensionPoint xsi:type="CustomFunctions">');
      } else {
        for (const part of ["Script", "Page", "Metadata"]) {
          const loc = kid(kid(cf, part), "SourceLocation");
          if (!loc || !loc.attrs.resid) errors.push(`the CustomFunctions extension point needs <${part}><SourceLocation resid="…"/></${part}>`);
        }
        const page = kid(kid(cf, "Page"), "SourceLocation");
        if (page && runtimeUrl && resolve(page.attrs.resid) !== runtimeUrl) {
          errors.push("the custom functions' <Page> must be the shared runtime's page (the same URL as <Runtime>)");
        }
        const meta = kid(kid(cf, "Metadata"), "SourceLocation");
        if (meta && resolve(meta.attrs.resid) && !/\.json$/.test(resolve(meta.attrs.resid))) {
          warnings.push("the custom functions' <Metadata> URL does not end with .json");
        }
        const ns = kid(cf, "Namespace");
        const nsValue = ns && resolve(ns.attrs.resid);
        if (!nsValue) errors.push("the CustomFunctions extension point needs <Namespace resid=\"…\"/>");
        else if (nsValue !== expectNamespace) errors.push(`the custom functions' namespace is "${nsValue}", not "${expectNamespace}"`);
        else if (!/^[A-Za-z0-9.]{1,32}$/.test(nsValue)) errors.push(`the namespace "${nsValue}" may hold only letters, digits and dots (32 at most)`);
      }

      const desktop = kid(host, "DesktopFormFactor");
      const ff = kid(desktop, "FunctionFile");
      if (!desktop) errors.push("the Workbook host has no <DesktopFormFactor> (the ribbon button)");
      else if (!ff) errors.push("<DesktopFormFactor> needs a <FunctionFile>");
      else if (runtimeUrl && resolve(ff.attrs.resid) !== runtimeUrl) errors.push("<FunctionFile> must be the shared runtime's page (the same URL as <Runtime>)");
      const actions = [];
      for (const [node] of walk(host)) if (local(node.name) === "Action" && xsiType(node) === "ShowTaskpane") actions.push(node);
      if (actions.length === 0) errors.push('no ribbon button opens the task pane (<Action xsi:type="ShowTaskpane">)');
      for (const a of actions) {
        const loc = kid(a, "SourceLocation");
        if (!loc) errors.push(`<Action xsi:type="ShowTaskpane"> (line ${a.line}) needs a <SourceLocation>`);
        else if (runtimeUrl && resolve(loc.attrs.resid) !== runtimeUrl) {
          errors.push(`the task pane (line ${a.line}) must open the shared runtime's page (the same URL as <Runtime>)`);
        }
      }
      const onHome = kids(desktop, "ExtensionPoint").some((e) => kids(e, "OfficeTab").some((t) => t.attrs.id === "TabHome"));
      if (desktop && !onHome) warnings.push("no button on the Home tab");
    }
  }

  // -- files behind the URLs, and icon sizes
  if (options.baseUrl && options.dir) {
    const generated = new Set(options.generated || []);
    for (const u of urls) {
      if (!u.url.startsWith(options.baseUrl)) continue;
      const rel = decodeURI(u.url.slice(options.baseUrl.length).split(/[?#]/)[0]);
      if (generated.has(rel)) continue;
      const file = path.join(options.dir, rel);
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
        errors.push(`${u.where}: ${u.url} names ${path.relative(process.cwd(), file) || file}, which does not exist`);
        continue;
      }
      if (/\.png$/i.test(rel)) {
        const size = pngSize(file);
        if (!size) {
          errors.push(`${u.where}: ${rel} is not a PNG file`);
          continue;
        }
        const n = local(u.node.name);
        const declared = n === "Image" ? Number(
          // the ribbon images are declared by id (Icon.16x16); the size attribute is on the references
          (/(\d+)x\1$/.exec(u.node.attrs.id || "") || [])[1],
        ) : n === "IconUrl" ? 32 : n === "HighResolutionIconUrl" ? 64 : NaN;
        if (Number.isFinite(declared) && (size.width !== declared || size.height !== declared)) {
          errors.push(`${u.where}: ${rel} is ${size.width}×${size.height}, where ${declared}×${declared} is expected`);
        }
      }
    }
    // each <bt:Image size="N" resid="…"/> names an image of that size
    if (vo) {
      for (const [node] of walk(vo)) {
        if (local(node.name) !== "Image" || node.attrs.size === undefined) continue;
        const r = resources.get(node.attrs.resid);
        if (!r || !r.value || !r.value.startsWith(options.baseUrl)) continue;
        const file = path.join(options.dir, r.value.slice(options.baseUrl.length));
        const size = fs.existsSync(file) ? pngSize(file) : null;
        if (size && size.width !== Number(node.attrs.size)) {
          errors.push(`<${node.name} size="${node.attrs.size}"> (line ${node.line}) names a ${size.width}×${size.height} image`);
        }
      }
    }
  }

  return { errors, warnings, root };
}

/** The value of a resource by id, for the tests. */
function resourceValue(root, rid) {
  for (const [node] of walk(root)) {
    if (node.attrs.id === rid && node.attrs.DefaultValue !== undefined && ["Image", "Url", "String"].includes(local(node.name))) {
      return node.attrs.DefaultValue;
    }
  }
  return undefined;
}

module.exports = { parseXml, checkManifest, resourceValue, XmlError, walk, local };
