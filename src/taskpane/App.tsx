/**
 * The task pane: read the data, build the model, fit it (in a worker), show the results, write
 * a summary sheet or the worksheet formula. No statistics here: the engine runs in the worker,
 * the workbook is reached only through the WorkbookGateway.
 */
import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import {
  Badge,
  Button,
  Card,
  Checkbox,
  Divider,
  Dropdown,
  Field,
  Input,
  Label,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Radio,
  RadioGroup,
  Spinner,
  Subtitle2,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title3,
  tokens,
} from "@fluentui/react-components";
import type { WorkbookGateway } from "../office/gateway";
import type { SampleWorkbook } from "../office/sampleWorkbook";
import type { Cell } from "../report/tables";
import type { FitClient } from "./fitClient";
import type { FitView } from "./fitService";
import { BuilderState, buildFormula, buildSpec, DataInfo, describeData, EMPTY_BUILDER, fitBlocker, formulaProblem } from "./model";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: "12px", padding: "12px", maxWidth: "560px", margin: "0 auto", boxSizing: "border-box" },
  header: { display: "flex", flexDirection: "column", gap: "2px" },
  card: { display: "flex", flexDirection: "column", gap: "8px", padding: "12px" },
  row: { display: "flex", gap: "8px", alignItems: "center", flexWrap: "wrap" },
  checks: { display: "flex", flexWrap: "wrap", columnGap: "4px", rowGap: "0px" },
  small: { color: tokens.colorNeutralForeground3 },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, wordBreak: "break-all" },
  num: { textAlign: "right", fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" },
  numHeader: { "& .fui-TableHeaderCell__button": { justifyContent: "flex-end" } },
  tableWrap: { overflowX: "auto" },
  table: { tableLayout: "auto", width: "100%" },
  grow: { flexGrow: 1, minWidth: "120px" },
});

type Notice = { intent: "success" | "error" | "warning" | "info"; title?: string; text: string } | null;

/** A number for display: whole numbers as they are, others with `digits` decimals. */
export function fmt(v: Cell, digits = 3, wholeAsIs = true): string {
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return "";
    return wholeAsIs && Number.isInteger(v) ? String(v) : v.toFixed(digits);
  }
  return v;
}

function NoticeBar({ notice }: { notice: Notice }) {
  if (!notice) return null;
  return (
    <MessageBar intent={notice.intent} layout="multiline">
      <MessageBarBody>
        {notice.title ? <MessageBarTitle>{notice.title}</MessageBarTitle> : null}
        {notice.text}
      </MessageBarBody>
    </MessageBar>
  );
}

function GridTable({ label, header, rows, numeric, digits, fixed = false }: { label: string; header: string[]; rows: Cell[][]; numeric: (c: number) => boolean; digits: (c: number) => number; fixed?: boolean }) {
  const styles = useStyles();
  return (
    <div className={styles.tableWrap}>
      <Table size="extra-small" aria-label={label} className={styles.table}>
        <TableHeader>
          <TableRow>
            {header.map((h, i) => (
              <TableHeaderCell key={i} className={numeric(i) ? styles.numHeader : undefined}>
                {h}
              </TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((r, i) => (
            <TableRow key={i}>
              {r.map((v, j) => (
                <TableCell key={j} className={numeric(j) ? styles.num : undefined}>
                  {fmt(v, digits(j), !fixed)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

function Results({ view }: { view: FitView }) {
  const styles = useStyles();
  const coefRows = view.coef.slice(1).map((r) => [r[0], r[1], r[2], r[3], r[4], `${fmt(r[5])} – ${fmt(r[6])}`]);
  const vcRows = view.varcomp.slice(1).map((r) => [r[0], r[1], r[2], r[3], r[5]]);
  return (
    <Card className={styles.card} aria-label="Results">
      <Subtitle2 as="h2">Results</Subtitle2>
      <div className={styles.row}>
        <Badge appearance="tint" color={view.converged ? "success" : "warning"}>{view.converged ? "Converged" : "Not converged"}</Badge>
        {view.singular ? <Badge appearance="tint" color="warning">Singular fit</Badge> : null}
        <Text size={200} className={styles.small}>
          {view.method}, {view.nObs} observations{view.nDropped > 0 ? `, ${view.nDropped} rows dropped` : ""}, fitted in {view.fitMs} ms
        </Text>
      </div>
      {view.warnings.map((w, i) => (
        <MessageBar key={i} intent="warning" layout="multiline">
          <MessageBarBody>{w}</MessageBarBody>
        </MessageBar>
      ))}
      <Label weight="semibold">Coefficients</Label>
      <GridTable label="Coefficients" header={["", "Coef.", "Std.Err.", "z", "P>|z|", "95% CI"]} rows={coefRows} numeric={(c) => c > 0} digits={() => 3} fixed />
      <Label weight="semibold">Variance components</Label>
      <GridTable label="Variance components" header={["Group", "Name", "Variance", "Std.Dev.", "Corr."]} rows={vcRows} numeric={(c) => c > 1} digits={() => 4} />
      <Label weight="semibold">Fit statistics</Label>
      <GridTable label="Fit statistics" header={["Statistic", "Value"]} rows={view.stats.slice(1)} numeric={(c) => c === 1} digits={() => 4} />
    </Card>
  );
}

function SampleWorkbookView({ workbook }: { workbook: SampleWorkbook }) {
  const styles = useStyles();
  const version = useSyncExternalStore(
    (cb) => workbook.subscribe(cb),
    () => workbook.sheets.length * 1000 + workbook.formulas.length,
  );
  void version;
  return (
    <Card className={styles.card} aria-label="Sample workbook">
      <Subtitle2 as="h2">Sample workbook</Subtitle2>
      <ul aria-label="Sheets" style={{ margin: 0, paddingLeft: "18px" }}>
        {workbook.sheets.map((s) => (
          <li key={s.name}>
            <Text weight="semibold">{s.name}</Text>{" "}
            <Text size={200} className={styles.small}>
              {s.usedRange}
              {s.kind === "data" ? " · dietox data" : ` · ${s.content!.blocks.filter((b) => b.col === 0 && b.id !== "title").length} tables · charts: ${s.content!.charts.map((c) => c.title.split(",")[0]).join("; ")}`}
            </Text>
          </li>
        ))}
      </ul>
      {workbook.formulas.length > 0 ? (
        <>
          <Label>Formulas inserted</Label>
          {workbook.formulas.map((f, i) => (
            <Text key={i} className={styles.mono}>
              {f.address}: {f.formula}
            </Text>
          ))}
        </>
      ) : null}
    </Card>
  );
}

export interface AppProps {
  gateway: WorkbookGateway;
  fitClient: FitClient;
  /** Set when running outside Excel: the sample workbook (shown) and why. */
  sample?: { workbook: SampleWorkbook; reason?: string };
}

export function App({ gateway, fitClient, sample }: AppProps) {
  const styles = useStyles();
  const [selection, setSelection] = useState<{ address: string; values: unknown[][] } | null>(null);
  const [data, setData] = useState<DataInfo | null>(null);
  const [dataNotice, setDataNotice] = useState<Notice>(null);
  const [reading, setReading] = useState(false);
  const [builder, setBuilder] = useState<BuilderState>(EMPTY_BUILDER);
  const [formula, setFormula] = useState("");
  const [vcName, setVcName] = useState("");
  const [vcColumn, setVcColumn] = useState("");
  const [fitting, setFitting] = useState(false);
  const [view, setView] = useState<FitView | null>(null);
  const [fitNotice, setFitNotice] = useState<Notice>(null);
  const [actionNotice, setActionNotice] = useState<Notice>(null);
  const [busyAction, setBusyAction] = useState<"" | "sheet" | "formula">("");

  const columns = data?.columns ?? [];
  const numericColumns = columns.filter((c) => c.kind === "numeric").map((c) => c.name);
  // an empty formula is not an error yet (the Fit button says what is missing)
  const problem = useMemo(() => (formula.trim() === "" ? null : formulaProblem(formula)), [formula]);
  const blocker = fitBlocker(builder, formula, data);

  const update = (patch: Partial<BuilderState>) => {
    const next = { ...builder, ...patch };
    setBuilder(next);
    setFormula(buildFormula(next));
  };

  const useSelection = async () => {
    setReading(true);
    setDataNotice(null);
    try {
      const sel = await gateway.readSelectionOrRegion();
      const info = describeData(sel.address, sel.values);
      setSelection(sel);
      setData(info);
      const names = new Set(info.columns.map((c) => c.name));
      const keep = (c: string) => names.has(c);
      const next: BuilderState = {
        ...builder,
        response: keep(builder.response) ? builder.response : "",
        fixed: builder.fixed.filter(keep),
        groups: keep(builder.groups) ? builder.groups : "",
        slopes: builder.slopes.filter(keep),
        vcs: builder.vcs.filter((v) => keep(v.column)),
      };
      setBuilder(next);
      setFormula(buildFormula(next));
    } catch (e) {
      setDataNotice({ intent: "error", title: "Cannot use the selection", text: e instanceof Error ? e.message : String(e) });
    } finally {
      setReading(false);
    }
  };

  const fit = async () => {
    if (!selection || blocker) return;
    setFitting(true);
    setFitNotice(null);
    setActionNotice(null);
    try {
      const v = await fitClient.fit(selection.values, buildSpec(builder, formula), selection.address);
      setView(v);
    } catch (e) {
      setView(null);
      setFitNotice({ intent: "error", title: "The model could not be fitted", text: e instanceof Error ? e.message : String(e) });
    } finally {
      setFitting(false);
    }
  };

  const createSheet = async () => {
    setBusyAction("sheet");
    setActionNotice(null);
    try {
      const layout = await fitClient.layout();
      const { sheetName } = await gateway.createSummarySheet(layout);
      setActionNotice({ intent: "success", title: "Summary sheet created", text: `Wrote the summary, the tables and three charts to the new sheet "${sheetName}".` });
    } catch (e) {
      setActionNotice({ intent: "error", title: "No summary sheet", text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusyAction("");
    }
  };

  const insertFormula = async () => {
    if (!view) return;
    setBusyAction("formula");
    setActionNotice(null);
    try {
      const { address } = await gateway.insertFormula(view.sheetFormula);
      setActionNotice({ intent: "success", title: "Formula inserted", text: `${address}: ${view.sheetFormula}` });
    } catch (e) {
      setActionNotice({ intent: "error", title: "No formula inserted", text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusyAction("");
    }
  };

  useEffect(() => {
    document.title = "MixedLM";
  }, []);

  return (
    <main className={styles.root}>
      <header className={styles.header}>
        <Title3 as="h1">MixedLM</Title3>
        <Text size={200} className={styles.small}>
          Linear mixed models, with the numbers of statsmodels and lme4.
        </Text>
      </header>
      {sample ? (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Running outside Excel on a sample workbook (dietox)</MessageBarTitle>
            Open the add-in in Excel to fit your own data{sample.reason ? ` (${sample.reason})` : ""}.
          </MessageBarBody>
        </MessageBar>
      ) : null}

      <Card className={styles.card} aria-label="Data">
        <Subtitle2 as="h2">Data</Subtitle2>
        <Text size={200} className={styles.small}>
          Select the data with the column names in the first row, or one cell inside them.
        </Text>
        <div className={styles.row}>
          <Button appearance={data ? "secondary" : "primary"} onClick={useSelection} disabled={reading}>
            Use selection
          </Button>
          {reading ? <Spinner size="tiny" label="Reading…" /> : null}
          {data ? (
            <Text aria-label="Data range">
              <b>{data.address}</b> · {data.rows} rows · {data.columns.length} columns
            </Text>
          ) : null}
        </div>
        <NoticeBar notice={dataNotice} />
        {data ? (
          <GridTable
            label="Columns"
            header={["Column", "Type", "Missing"]}
            rows={data.columns.map((c) => [c.name, c.kind === "numeric" ? "numeric" : `categorical (${c.levels} levels)`, c.missing])}
            numeric={(c) => c === 2}
            digits={() => 0}
          />
        ) : null}
      </Card>

      <Card className={styles.card} aria-label="Model">
        <Subtitle2 as="h2">Model</Subtitle2>
        <div className={styles.row}>
          <Field label="Response" className={styles.grow}>
            <Dropdown
              placeholder="Numeric column"
              disabled={!data}
              value={builder.response}
              selectedOptions={builder.response ? [builder.response] : []}
              onOptionSelect={(_, d) => update({ response: d.optionValue ?? "", fixed: builder.fixed.filter((f) => f !== d.optionValue) })}
            >
              {numericColumns.map((c) => (
                <Option key={c} value={c}>
                  {c}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field label="Groups" className={styles.grow}>
            <Dropdown
              placeholder="Grouping column"
              disabled={!data}
              value={builder.groups || ""}
              selectedOptions={[builder.groups]}
              onOptionSelect={(_, d) => update({ groups: d.optionValue ?? "" })}
            >
              <Option value="" text="(none: lme4 terms in the formula)">(none: lme4 terms in the formula)</Option>
              {columns.map((c) => (
                <Option key={c.name} value={c.name}>
                  {c.name}
                </Option>
              ))}
            </Dropdown>
          </Field>
        </div>
        <div role="group" aria-labelledby="fixed-label">
          <Label id="fixed-label">Fixed effects</Label>
          <div className={styles.checks}>
            {columns
              .filter((c) => c.name !== builder.response)
              .map((c) => (
                <Checkbox
                  key={c.name}
                  label={c.name}
                  disabled={!data}
                  checked={builder.fixed.includes(c.name)}
                  onChange={(_, d) => update({ fixed: d.checked ? [...builder.fixed, c.name] : builder.fixed.filter((f) => f !== c.name) })}
                />
              ))}
            {!data ? <Text size={200} className={styles.small}>Use a selection to list its columns.</Text> : null}
          </div>
          <Switch label="Interactions (a * b: main effects and all their interactions)" checked={builder.interactions} disabled={!data} onChange={(_, d) => update({ interactions: d.checked })} />
        </div>
        <Field label="Random slopes (re_formula)" hint={builder.groups ? undefined : "Needs a groups column."}>
          <Dropdown
            multiselect
            placeholder="None: a random intercept"
            disabled={!data || !builder.groups}
            value={builder.slopes.join(", ")}
            selectedOptions={builder.slopes}
            onOptionSelect={(_, d) => update({ slopes: d.selectedOptions })}
          >
            {numericColumns
              .filter((c) => c !== builder.response && c !== builder.groups)
              .map((c) => (
                <Option key={c} value={c}>
                  {c}
                </Option>
              ))}
          </Dropdown>
        </Field>
        <div role="group" aria-labelledby="vc-label">
          <Label id="vc-label">Variance components (vc)</Label>
          <div className={styles.row}>
            <Input aria-label="Variance component name" placeholder="name" value={vcName} onChange={(_, d) => setVcName(d.value)} disabled={!data || !builder.groups} style={{ width: "90px" }} />
            <Dropdown aria-label="Variance component column" placeholder="column" value={vcColumn} selectedOptions={vcColumn ? [vcColumn] : []} onOptionSelect={(_, d) => setVcColumn(d.optionValue ?? "")} disabled={!data || !builder.groups} style={{ minWidth: "110px" }}>
              {columns
                .filter((c) => c.name !== builder.response && c.name !== builder.groups)
                .map((c) => (
                  <Option key={c.name} value={c.name}>
                    {c.name}
                  </Option>
                ))}
            </Dropdown>
            <Button
              size="small"
              disabled={!vcColumn || !builder.groups}
              onClick={() => {
                const name = vcName.trim() || vcColumn;
                update({ vcs: [...builder.vcs.filter((v) => v.name !== name), { name, column: vcColumn }] });
                setVcName("");
                setVcColumn("");
              }}
            >
              Add
            </Button>
          </div>
          {builder.vcs.map((v) => (
            <div key={v.name} className={styles.row}>
              <Text className={styles.mono}>
                {v.name}: 0 + C({v.column})
              </Text>
              <Button size="small" appearance="subtle" aria-label={`Remove variance component ${v.name}`} onClick={() => update({ vcs: builder.vcs.filter((x) => x.name !== v.name) })}>
                Remove
              </Button>
            </div>
          ))}
        </div>
        <Field label="Extra random-effect terms (lme4, crossed or nested)" hint="e.g. (1 | item) or (1 | batch/cask)">
          <Input value={builder.extraTerms} disabled={!data} onChange={(_, d) => update({ extraTerms: d.value })} />
        </Field>
        <Field label="Estimation method">
          <RadioGroup layout="horizontal" value={builder.method} onChange={(_, d) => update({ method: d.value as BuilderState["method"] })}>
            <Radio value="REML" label="REML" />
            <Radio value="ML" label="ML" />
          </RadioGroup>
        </Field>
        <Divider />
        <Field
          label="Formula"
          validationState={problem ? "error" : formula ? "success" : "none"}
          validationMessage={problem ?? (formula ? "The formula reads well." : undefined)}
          hint="Generated from the choices above; edit it freely (patsy syntax, with lme4 bar terms)."
        >
          <Input className={styles.mono} value={formula} onChange={(_, d) => setFormula(d.value)} placeholder="Weight ~ Time" />
        </Field>
        <div className={styles.row}>
          <Button appearance="primary" onClick={fit} disabled={fitting || blocker !== null}>
            Fit
          </Button>
          {fitting ? <Spinner size="tiny" label="Fitting…" /> : null}
          {!fitting && blocker && data && !problem ? (
            <Text size={200} className={styles.small}>
              {blocker}
            </Text>
          ) : null}
        </div>
        <NoticeBar notice={fitNotice} />
      </Card>

      {view ? <Results view={view} /> : null}

      {view ? (
        <Card className={styles.card} aria-label="Workbook">
          <Subtitle2 as="h2">To the workbook</Subtitle2>
          <div className={styles.row}>
            <Button appearance="primary" onClick={createSheet} disabled={busyAction !== ""}>
              Create summary sheet
            </Button>
            <Button onClick={insertFormula} disabled={busyAction !== ""}>
              Insert formula
            </Button>
            {busyAction ? <Spinner size="tiny" label="Writing…" /> : null}
          </div>
          <Text size={200} className={styles.small}>
            The summary goes to a new sheet, never over an existing one. The formula goes into the selected cell and recalculates with the data:
          </Text>
          <Text className={styles.mono}>{view.sheetFormula}</Text>
          <NoticeBar notice={actionNotice} />
        </Card>
      ) : null}

      {sample ? <SampleWorkbookView workbook={sample.workbook} /> : null}
      <Text size={100} className={styles.small}>
        Fits run {fitClient.mode === "worker" ? "in a background worker" : "in the page"}.
      </Text>
    </main>
  );
}
