/**
 * manifest.xml: well-formed, what Office needs to sideload it (scripts/manifest-check.js, also
 * `npm run validate`), the shared runtime and the MIXEDLM namespace; the icons it names; and the
 * custom functions' metadata (generated from functions.ts as the webpack plugin does) against the
 * functions functions.ts associates when it loads in Excel's runtime.
 */
import { execFileSync } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";
import { generateCustomFunctionsMetadata } from "custom-functions-metadata";
import { checkManifest, local, parseXml, resourceValue, walk, XmlNode } from "../../scripts/manifest-check";

const ROOT = join(__dirname, "../..");
const DEV = "https://localhost:3000/";
const TEXT = readFileSync(join(ROOT, "manifest.xml"), "utf8");
const BUILD_OUTPUTS = ["taskpane.html", "functions.js", "functions.json"];
// eslint-disable-next-line @typescript-eslint/no-require-imports
const icons: { render(size: number): Buffer; SIZES: number[] } = require("../../scripts/make-icons.js");

function elements(root: XmlNode, name: string): XmlNode[] {
  const out: XmlNode[] = [];
  for (const [n] of walk(root)) if (local(n.name) === name) out.push(n);
  return out;
}

function xsiType(n: XmlNode): string | undefined {
  return n.attrs["xsi:type"];
}

describe("manifest.xml", () => {
  const { errors, warnings, root } = checkManifest(TEXT, { baseUrl: DEV, dir: ROOT, generated: BUILD_OUTPUTS });

  test("passes every check, without warnings", () => {
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test("is well-formed XML: an add-in-only TaskPaneApp for Excel", () => {
    expect(root!.name).toBe("OfficeApp");
    expect(xsiType(root!)).toBe("TaskPaneApp");
    expect(elements(root!, "Host").some((h) => h.attrs.Name === "Workbook")).toBe(true);
    expect(elements(root!, "VersionOverrides").map(xsiType)).toEqual(["VersionOverridesV1_0"]);
  });

  test("every resid is defined in Resources, ids at most 32 characters", () => {
    const defined = new Set<string>();
    const resources = elements(root!, "Resources")[0];
    for (const [n] of walk(resources)) if (n.attrs.id !== undefined) defined.add(n.attrs.id);
    const used = elements(root!, "VersionOverrides")
      .flatMap((vo) => [...walk(vo)].map(([n]) => n.attrs.resid))
      .filter((r): r is string => r !== undefined);
    expect(used.length).toBeGreaterThan(10);
    for (const r of used) {
      expect(defined.has(r)).toBe(true);
      expect(r.length).toBeLessThanOrEqual(32);
    }
    for (const id of defined) expect(id.length).toBeLessThanOrEqual(32);
  });

  test("every URL is https, on the dev server", () => {
    const urls: string[] = [];
    for (const [n] of walk(root!)) if (n.attrs.DefaultValue?.includes("://")) urls.push(n.attrs.DefaultValue);
    expect(urls.length).toBeGreaterThan(8);
    for (const u of urls) expect(u.startsWith(DEV)).toBe(true);
  });

  test("shared runtime: one long-lived runtime page hosting the functions and the task pane", () => {
    const sets = elements(root!, "Set").map((s) => [s.attrs.Name, s.attrs.MinVersion]);
    expect(sets).toContainEqual(["SharedRuntime", "1.1"]);
    expect(sets).toContainEqual(["CustomFunctionsRuntime", "1.2"]);
    const runtimes = elements(root!, "Runtime");
    expect(runtimes.map((r) => [r.attrs.resid, r.attrs.lifetime])).toEqual([["Taskpane.Url", "long"]]);
    expect(resourceValue(root!, "Taskpane.Url")).toBe(`${DEV}taskpane.html`);
    const cf = elements(root!, "ExtensionPoint").find((e) => xsiType(e) === "CustomFunctions")!;
    const src = (part: string) => elements(cf, part).flatMap((p) => elements(p, "SourceLocation"))[0].attrs.resid;
    expect(src("Page")).toBe("Taskpane.Url");
    expect(resourceValue(root!, src("Script"))).toBe(`${DEV}functions.js`);
    expect(resourceValue(root!, src("Metadata"))).toBe(`${DEV}functions.json`);
    expect(elements(root!, "FunctionFile")[0].attrs.resid).toBe("Taskpane.Url");
  });

  test("the namespace is MIXEDLM", () => {
    const ns = elements(root!, "Namespace")[0];
    expect(resourceValue(root!, ns.attrs.resid)).toBe("MIXEDLM");
  });

  test("a Home-tab button opens the task pane", () => {
    const home = elements(root!, "OfficeTab").find((t) => t.attrs.id === "TabHome")!;
    const actions = elements(home, "Action").filter((a) => xsiType(a) === "ShowTaskpane");
    expect(actions).toHaveLength(1);
    expect(elements(actions[0], "SourceLocation")[0].attrs.resid).toBe("Taskpane.Url");
  });

  test("office-addin-manifest reads it as we do", () => {
    // in a child process: its dependencies include ES modules that Jest's CommonJS runtime cannot load
    const script = `require("office-addin-manifest").OfficeAddinManifest.readManifestFile(process.argv[1])
      .then((i) => process.stdout.write(JSON.stringify(i)), (e) => { console.error(e.message); process.exit(1); })`;
    const info = JSON.parse(execFileSync(process.execPath, ["-e", script, join(ROOT, "manifest.xml")], { cwd: ROOT, encoding: "utf8" }));
    expect(info.officeAppType).toBe("TaskPaneApp");
    expect(info.hosts).toEqual(["Workbook"]);
    expect(info.defaultSettings?.sourceLocation).toBe(`${DEV}taskpane.html`);
    expect(info.id).toBe(elements(root!, "Id")[0].text.trim());
  });
});

describe("the checker finds the mistakes that break sideloading", () => {
  const check = (text: string) => checkManifest(text, { baseUrl: DEV, dir: ROOT, generated: BUILD_OUTPUTS }).errors.join("\n");

  test.each([
    ["a resid not defined", TEXT.replace('resid="Group.Label"', 'resid="Group.Labl"'), /"Group.Labl" is not defined/],
    ["a resource id over 32 characters", TEXT.split("TaskpaneButton.Tooltip").join("TaskpaneButton.TooltipTooLongById"), /the limit is 32/],
    ["an http URL", TEXT.replace(`${DEV}assets/support.html"/>`, 'http://localhost:3000/assets/support.html"/>'), /not an https URL/],
    ["a short-lived runtime", TEXT.replace('lifetime="long"', 'lifetime="short"'), /lifetime="long"/],
    ["another namespace", TEXT.replace('DefaultValue="MIXEDLM"', 'DefaultValue="CONTOSO"'), /namespace is "CONTOSO"/],
    ["no SharedRuntime requirement", TEXT.replace('Name="SharedRuntime"', 'Name="CustomFunctionsRuntimeX"'), /SharedRuntime/],
    ["no CustomFunctionsRuntime requirement", TEXT.replace(/\s*<Set Name="CustomFunctionsRuntime" MinVersion="1.2"\/>/, ""), /CustomFunctionsRuntime" MinVersion="1.2"/],
    ["CustomFunctionsRuntime 1.1", TEXT.replace('Name="CustomFunctionsRuntime" MinVersion="1.2"', 'Name="CustomFunctionsRuntime" MinVersion="1.1"'), /error messages from custom functions need 1.2/],
    ["functions on another page", TEXT.replace('<Page>\n              <SourceLocation resid="Taskpane.Url"/>', '<Page>\n              <SourceLocation resid="Functions.Script.Url"/>'), /shared runtime's page/],
    ["a missing icon", TEXT.replace("assets/icon-80.png", "assets/icon-81.png"), /icon-81.png, which does not exist/],
    ["an icon of the wrong size", TEXT.replace('id="Icon.80x80" DefaultValue="https://localhost:3000/assets/icon-80.png"', 'id="Icon.80x80" DefaultValue="https://localhost:3000/assets/icon-64.png"'), /64×64, where 80×80/],
    ["a string kind mismatch", TEXT.replace('<Label resid="Group.Label"/>', '<Label resid="TaskpaneButton.Tooltip"/>'), /names a long string, where a short string/],
    ["elements out of order", TEXT.replace("  <Version>0.1.0.0</Version>\n", "").replace("</ProviderName>", "</ProviderName>\n  <Version>0.1.0.0</Version>").replace("<Id>", "<Version>0.1.0.0</Version><Id>").replace("</ProviderName>\n  <Version>0.1.0.0</Version>", "</ProviderName>"), /out of order/],
    ["not well-formed", TEXT.replace("</Hosts>\n  <Requirements>", "</Host>\n  <Requirements>"), /not well-formed XML: line \d+/],
    ["a bad Id", TEXT.replace(/<Id>[^<]*<\/Id>/, "<Id>mixedlm</Id>"), /GUID/],
  ])("%s", (_, text, message) => {
    expect(text).not.toBe(TEXT);
    expect(check(text)).toMatch(message);
  });

  test("the XML parser: entities, comments, CDATA, attributes", () => {
    const r = parseXml('<?xml version="1.0"?><!-- c --><a x="1 &amp; 2" y=\'&quot;\'><b>t &lt; u</b><![CDATA[<raw>]]><c/></a>');
    expect(r.attrs).toEqual({ x: "1 & 2", y: '"' });
    expect(r.children.map((c) => c.name)).toEqual(["b", "c"]);
    expect(r.children[0].text).toBe("t < u");
    expect(r.text).toBe("<raw>");
    expect(() => parseXml("<a><b></a>")).toThrow(/closes <b>/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/repeated/);
    expect(() => parseXml("<a>&nbsp;</a>")).toThrow(/unknown entity/);
    expect(() => parseXml("<a/><b/>")).toThrow(/after the root/);
  });
});

describe("icons", () => {
  test("assets/icon-*.png are what scripts/make-icons.js draws, at their sizes", () => {
    expect(icons.SIZES).toEqual([16, 32, 64, 80, 128]);
    for (const size of icons.SIZES) {
      const committed = readFileSync(join(ROOT, "assets", `icon-${size}.png`));
      expect(committed.equals(icons.render(size))).toBe(true);
      expect([committed.readUInt32BE(16), committed.readUInt32BE(20)]).toEqual([size, size]);
    }
  });
});

describe("functions.json against functions.ts", () => {
  test("every function in the metadata is associated, under its id, when functions.ts loads in Excel", async () => {
    const generated = await generateCustomFunctionsMetadata(join(ROOT, "src/functions/functions.ts"));
    expect(generated.errors).toEqual([]);
    const ids = (JSON.parse(generated.metadataJson).functions as { id: string }[]).map((f) => f.id).sort();
    expect(ids).toHaveLength(11);

    const associated = new Map<string, unknown>();
    const g = globalThis as Record<string, unknown>;
    g.CustomFunctions = {
      associate: (id: string, f: unknown) => associated.set(id, f),
      Error: class {},
      ErrorCode: { invalidValue: "#VALUE!" },
    };
    try {
      let mod: Record<string, unknown> = {};
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        mod = require("../../src/functions/functions");
      });
      expect([...associated.keys()].sort()).toEqual(ids);
      for (const a of generated.associate) {
        expect(typeof mod[a.functionName]).toBe("function");
        expect(associated.get(a.id)).toBe(mod[a.functionName]);
      }
    } finally {
      delete g.CustomFunctions;
    }
  });

  test("outside Excel (no CustomFunctions global) functions.ts loads without associating", () => {
    expect((globalThis as Record<string, unknown>).CustomFunctions).toBeUndefined();
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(() => require("../../src/functions/functions")).not.toThrow();
    });
  });
});
