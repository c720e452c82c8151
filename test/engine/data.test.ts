/** The data table: CSV reading, Excel-shaped arrays, types, and missing values. */
import { readFileSync } from "fs";
import { join } from "path";
import { DataTable, fitMixedModel, readCsv } from "../../src/engine";
import { fixtureTable, FIXTURES } from "../helpers";

describe("CSV", () => {
  test("dietox: types as pandas reads them, quoted numbers are numbers, NA is missing", () => {
    const t = fixtureTable("dietox.csv");
    expect(t.nRows).toBe(861);
    expect(t.names).toEqual(["Pig", "Evit", "Cu", "Litter", "Start", "Weight", "Feed", "Time"]);
    const kinds = Object.fromEntries(t.columns.map((c) => [c.name, c.kind]));
    expect(kinds).toEqual({ Pig: "numeric", Evit: "categorical", Cu: "categorical", Litter: "numeric", Start: "numeric", Weight: "numeric", Feed: "numeric", Time: "numeric" });
    expect(t.column("Feed").missing).toBe(72);
    const w = t.column("Weight");
    expect(w.kind === "numeric" && w.values[1]).toBe(27.59999);
  });

  test("quoting, CRLF, BOM, blank lines, missing tokens", () => {
    const text = '\ufeffname,"val",note\r\n"a, b",1.5,"say ""hi"""\r\n\r\nc,NA,#N/A\r\nd,-2e-3,\r\n';
    const t = readCsv(text);
    expect(t.nRows).toBe(3);
    expect(t.names).toEqual(["name", "val", "note"]);
    expect(t.label("name", 0)).toBe("a, b");
    expect(t.label("note", 0)).toBe('say "hi"');
    const v = t.column("val");
    expect(v.kind).toBe("numeric");
    expect(v.kind === "numeric" && Array.from(v.values)).toEqual([1.5, NaN, -0.002]);
    expect(t.column("note").missing).toBe(2);
  });

  test("semicolon and tab separators are detected", () => {
    expect(readCsv("a;b\n1;2\n3;4\n").names).toEqual(["a", "b"]);
    expect(readCsv("a\tb\n1\t2\n").names).toEqual(["a", "b"]);
    expect(readCsv("a;b\n1,5;2\n", { separator: ";" }).column("a").kind).toBe("categorical");
  });

  test("a column mixing numbers and text is categorical with the original text", () => {
    const t = readCsv("id,y\n007,1\n12,2\nx9,3\n");
    const c = t.column("id");
    expect(c.kind).toBe("categorical");
    expect(c.kind === "categorical" && c.levels).toEqual(["007", "12", "x9"]);
  });

  test("long and exact decimal numbers are read exactly", () => {
    const t = readCsv("x\n0.1\n123456789.123456789\n1e300\n-0.30000000000000004\n");
    const c = t.column("x");
    expect(c.kind === "numeric" && Array.from(c.values)).toEqual([0.1, 123456789.123456789, 1e300, -0.30000000000000004]);
  });

  describe("UTF-16 files (Excel's \"Unicode text\", Windows tools) read as UTF-8 ones", () => {
    const text = "name,Größe,g\r\nÄpfel,1.5,x\r\n日本,2,y\r\n";
    const le = Buffer.from(text, "utf16le");
    const be = Buffer.from(le).swap16();
    test.each<[string, Buffer]>([
      ["LE with BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
      ["BE with BOM", Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
      ["LE without BOM", le],
      ["BE without BOM", be],
    ])("%s", (_, bytes) => {
      const t = readCsv(bytes);
      expect(t.names).toEqual(["name", "Größe", "g"]);
      expect([t.label("name", 0), t.label("name", 1)]).toEqual(["Äpfel", "日本"]);
      const c = t.column("Größe");
      expect(c.kind === "numeric" && Array.from(c.values)).toEqual([1.5, 2]);
    });
  });

  test.each<[string, RegExp]>([
    ["", /separator must be one character.*it is empty/],
    ['"', /"\\"" cannot separate fields \(it quotes them\)/],
    [";;", /separator must be one character.*";;" has 2/],
    ["\n", /cannot separate fields \(it ends lines\)/],
    ["é", /only ASCII characters can/],
  ])("a separator that cannot separate fields is refused: %j", (sep, message) => {
    expect(() => readCsv("a,b\n1,2\n", { separator: sep })).toThrow(message);
  });

  test("malformed files are reported", () => {
    expect(() => readCsv("")).toThrow(/empty/);
    expect(() => readCsv("a,b\n")).toThrow(/no data lines/);
    expect(() => readCsv('a\n"unclosed\n')).toThrow(/closing quote/);
    expect(() => readCsv("a,b\n1,2,3\n")).toThrow(/Line 2 .* more fields than the header/);
  });
});

describe("Excel arrays (header row first)", () => {
  test("numbers, strings, booleans, null and error values", () => {
    const t = DataTable.fromRows([
      ["y", "g", "x", "flag"],
      [1, "a", 0.5, true],
      [2, "b", null, false],
      [3, "a", "#N/A", true],
      ["", "", "", ""],
      [null, null, null, null],
    ]);
    expect(t.nRows).toBe(3); // trailing empty rows are not data
    expect(t.column("x").kind).toBe("numeric");
    expect(t.column("x").missing).toBe(2);
    expect(t.column("flag").kind).toBe("categorical");
    expect(t.label("flag", 0)).toBe("True");
  });

  test("blank and repeated headers get pandas' names", () => {
    const t = DataTable.fromRows([["a", null, "a"], [1, 2, 3]]);
    expect(t.names).toEqual(["a", "Unnamed: 1", "a.1"]);
  });

  test("an empty range or a header alone is reported", () => {
    expect(() => DataTable.fromRows([])).toThrow(/empty/);
    expect(() => DataTable.fromRows([["a", "b"]])).toThrow(/no data rows/);
  });
});

describe("missing values: listwise over the columns the model uses (statsmodels' missing='drop')", () => {
  const ref = JSON.parse(readFileSync(join(FIXTURES, "reference", "dietox_feed_missing.statsmodels.json"), "utf8"));

  test("Feed's 72 missing values drop 72 rows, and the fit matches statsmodels'", () => {
    const r = fitMixedModel(fixtureTable("dietox.csv"), { formula: "Weight ~ Time + Feed", groups: "Pig" });
    expect(r.nObs).toBe(ref.n_obs);
    expect(r.nDropped).toBe(ref.n_dropped);
    expect(Math.abs(r.logLik - ref.llf)).toBeLessThan(1e-4);
    r.fixedEffects.forEach((fe, i) => {
      expect(fe.name).toBe(ref.fe_names[i]);
      expect(Math.abs(fe.coef - ref.fe_params[i])).toBeLessThanOrEqual(1e-5 * Math.abs(ref.fe_params[i]) + 1e-4 * ref.bse_fe[i]);
    });
    expect(Math.abs(r.scale - ref.scale)).toBeLessThan(2e-3 * ref.scale);
    expect(Math.abs(r.randomTerms[0].cov[0][0] - ref.cov_re)).toBeLessThan(2e-3 * ref.cov_re);
  });

  test("a column the model does not use drops nothing; fitted values keep their data rows", () => {
    const r = fitMixedModel(fixtureTable("dietox.csv"), { formula: "Weight ~ Time", groups: "Pig" });
    expect(r.nDropped).toBe(0);
    const r2 = fitMixedModel(fixtureTable("dietox.csv"), { formula: "Weight ~ Time + Feed", groups: "Pig" });
    // the first pig's first row has no Feed: the first fitted value belongs to data row 1
    expect(r2.rowIndex[0]).toBe(1);
    expect(r2.fitted.length).toBe(789);
  });
});

describe("None and NULL: missing among numbers, a level among text (as R's read.csv keeps them)", () => {
  // nlme's Alfalfa: Date is "None" (no cutting), "S1", "S20" or "O7"; "None" must stay a level
  const csv = "y,cut,x\n1.5,None,1\n2.5,S1,None\n3.5,S20,2\n4.5,None,NULL\n";

  test("CSV: a text column keeps None as a level; a numeric column reads None and NULL as missing", () => {
    const t = readCsv(Buffer.from(csv));
    const cut = t.column("cut");
    expect(cut.kind).toBe("categorical");
    if (cut.kind === "categorical") {
      expect(cut.levels).toEqual(["None", "S1", "S20"]);
      expect(cut.missing).toBe(0);
    }
    const x = t.column("x");
    expect(x.kind).toBe("numeric");
    expect(x.missing).toBe(2);
  });

  test("CSV: a column that starts with None and turns out to be text is read again, None a level", () => {
    const t = readCsv(Buffer.from("y,cut\n1,None\n2,None\n3,S1\n4,S20\n"));
    const cut = t.column("cut");
    expect(cut.kind === "categorical" && cut.levels).toEqual(["None", "S1", "S20"]);
    expect(cut.missing).toBe(0);
  });

  test("Excel arrays: the same rules", () => {
    const t = DataTable.fromRows([["y", "cut", "x"], [1.5, "None", 1], [2.5, "S1", "None"], [3.5, "S20", 2], [4.5, "None", "NULL"]]);
    const cut = t.column("cut");
    expect(cut.kind === "categorical" && cut.levels).toEqual(["None", "S1", "S20"]);
    expect(t.column("x").kind).toBe("numeric");
    expect(t.column("x").missing).toBe(2);
  });

  test("still missing everywhere: NA, empty, #N/A", () => {
    const t = readCsv(Buffer.from("y,cut\n1,NA\n2,\n3,#N/A\n4,S1\n5,None\n"));
    const cut = t.column("cut");
    expect(cut.missing).toBe(3);
    expect(cut.kind === "categorical" && cut.levels).toEqual(["S1", "None"]);
  });
});
