/**
 * Confidence intervals of every parameter, as lme4's confint: profile likelihood (its default),
 * Wald (fixed effects only), or a parametric bootstrap (percentile; simulations and seed, the
 * same seed giving the same numbers everywhere). A profile or a bootstrap runs in a worker of its
 * own with a labelled progress bar and a Cancel button that ends it; focus goes back to Compute
 * when the Cancel button goes. The table: parameter (lme4's names), estimate, bounds.
 */
import { useEffect, useId, useRef, useState } from "react";
import { Button, Field, Input, makeStyles, ProgressBar, Radio, RadioGroup, Text, tokens } from "@fluentui/react-components";
import type { ConfintMethod, ConfintResult } from "../../engine";
import { boundLabels } from "../../report/inference";
import type { PaneConfintOptions } from "../../worker/protocol";
import { num } from "../display";
import type { Job } from "../inferenceState";
import { NoticeBar } from "./NoticeBar";
import { Section } from "./Section";
import { useTableStyles } from "./tables.styles";

const useStyles = makeStyles({
  body: { display: "flex", flexDirection: "column", gap: "6px", minWidth: 0 },
  row: { display: "flex", gap: "8px", alignItems: "flex-end", flexWrap: "wrap" },
  small: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
  /** Level, simulations and seed side by side at 320 px (100000 fits in the second). */
  level: { width: "5em" },
  nsim: { width: "7em" },
  seed: { width: "4.5em" },
});

const TITLE: Record<ConfintMethod, string> = { profile: "Profile likelihood", wald: "Wald", boot: "Parametric bootstrap" };

function caption(ci: ConfintResult): string {
  const pct = `${Number((100 * ci.level).toPrecision(4))}%`;
  if (ci.method === "profile") return `${TITLE.profile} intervals, ${pct}${ci.criterion ? ` (${ci.criterion} criterion)` : ""}`;
  if (ci.method === "boot") return `${TITLE.boot} intervals, ${pct} (percentile; ${ci.bootstrap!.done} simulations, seed ${ci.bootstrap!.seed})`;
  return `${TITLE.wald} intervals, ${pct}`;
}

function IntervalTable({ ci }: { ci: ConfintResult }) {
  const s = useTableStyles();
  const styles = useStyles();
  const id = useId();
  const [lo, hi] = boundLabels(ci.level);
  const rows = ci.rows.filter((r) => r.low !== null || r.high !== null);
  const without = ci.rows.length - rows.length;
  return (
    <div>
      <table className={s.table} aria-labelledby={`${id}-caption`}>
        <caption id={`${id}-caption`} className={s.caption}>{caption(ci)}</caption>
        <colgroup>
          <col />
          <col style={{ width: "5.2em" }} />
          <col style={{ width: "5.2em" }} />
          <col style={{ width: "5.2em" }} />
        </colgroup>
        <thead>
          <tr>
            <th scope="col" className={s.th}>Parameter</th>
            <th scope="col" className={`${s.th} ${s.thNum}`}>Estimate</th>
            <th scope="col" className={`${s.th} ${s.thNum}`}>{lo}</th>
            <th scope="col" className={`${s.th} ${s.thNum}`}>{hi}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name}>
              <th scope="row" className={s.td} style={{ fontWeight: "normal", textAlign: "left" }}>{r.name}</th>
              <td className={`${s.td} ${s.num}`}>{num(r.estimate)}</td>
              <td className={`${s.td} ${s.num}`}>{num(r.low)}</td>
              <td className={`${s.td} ${s.num}`}>{num(r.high)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {without > 0 && ci.method === "wald" ? <Text as="p" size={200} className={styles.small}>Wald intervals cover the fixed effects only (as lme4&apos;s); choose profile or bootstrap for the variance parameters.</Text> : null}
      {ci.notes.map((n) => <Text key={n} as="p" size={200} className={styles.small}>{n}</Text>)}
    </div>
  );
}

export interface IntervalsCardProps {
  job: Job<ConfintResult>;
  locked: string | null;
  stale: boolean;
  onCompute: (o: PaneConfintOptions) => void;
  onCancel: () => void;
}

export function IntervalsCard({ job, locked, stale, onCompute, onCancel }: IntervalsCardProps) {
  const styles = useStyles();
  const tables = useTableStyles();
  const [method, setMethod] = useState<ConfintMethod>("profile");
  const [level, setLevel] = useState("0.95");
  const [nsim, setNsim] = useState("1000");
  const [seed, setSeed] = useState("1");
  const [asked, setAsked] = useState<ConfintMethod>("profile");
  const compute = useRef<HTMLButtonElement>(null);
  const cancelHadFocus = useRef(false);
  const running = job.status === "running";
  // the Cancel button goes when the work ends: the focus it had goes to Compute, not to the page
  useEffect(() => {
    if (!running && cancelHadFocus.current) { cancelHadFocus.current = false; compute.current?.focus(); }
  }, [running]);
  const go = () => {
    if (locked || running) return;
    setAsked(method);
    onCompute({ method, level: Number(level), ...(method === "boot" ? { nsim: Number(nsim), seed: Number(seed) } : {}) });
  };
  const progress = running ? job.progress : null;
  return (
    <Section title="Confidence intervals" label="Intervals">
      <Field label="Method">
        <RadioGroup layout="horizontal" value={method} onChange={(_, d) => setMethod(d.value as ConfintMethod)}>
          <Radio value="profile" label="Profile" />
          <Radio value="wald" label="Wald" />
          <Radio value="boot" label="Bootstrap" />
        </RadioGroup>
      </Field>
      <div className={styles.row}>
        <Field label="Level"><Input className={styles.level} type="number" inputMode="decimal" min={0} max={1} step={0.01} value={level} onChange={(_, d) => setLevel(d.value)} /></Field>
        {method === "boot" ? <Field label="Simulations"><Input className={styles.nsim} type="number" inputMode="numeric" min={1} step={1} value={nsim} onChange={(_, d) => setNsim(d.value)} /></Field> : null}
        {method === "boot" ? <Field label="Seed"><Input className={styles.seed} type="number" inputMode="numeric" step={1} value={seed} onChange={(_, d) => setSeed(d.value)} /></Field> : null}
      </div>
      <div className={styles.row} style={{ alignItems: "center" }}>
        <Button ref={compute} appearance="primary" onClick={go} disabledFocusable={locked !== null || running} aria-describedby={locked ? "intervals-why" : undefined}>Compute intervals</Button>
        {running ? (
          <Button onClick={() => { cancelHadFocus.current = true; onCancel(); }} onFocus={() => { cancelHadFocus.current = true; }} onBlur={() => { cancelHadFocus.current = false; }}>Cancel</Button>
        ) : null}
        {!running && locked ? <Text id="intervals-why" size={200} className={styles.small}>{locked}</Text> : null}
      </div>
      {running ? (
        <Field label={progress || asked === "boot" ? "Bootstrap" : `${TITLE[asked]} intervals`} validationState="none" validationMessage={progress ? `${progress.done.toLocaleString("en-US")} of ${progress.total.toLocaleString("en-US")} simulations` : asked === "boot" ? "Fitting the model in its own worker…" : asked === "profile" ? "Profiling the likelihood of each parameter…" : "Computing…"}>
          <ProgressBar value={progress ? progress.done / progress.total : undefined} max={1} thickness="large" />
        </Field>
      ) : null}
      {job.status === "cancelled" ? <NoticeBar notice={{ intent: "info", title: "Cancelled", text: job.progress ? `Stopped after ${job.progress.done.toLocaleString("en-US")} of ${job.progress.total.toLocaleString("en-US")} simulations; no intervals.` : "Stopped; no intervals." }} /> : null}
      {job.status === "failed" ? <NoticeBar notice={{ intent: "error", title: "No intervals", text: job.error }} /> : null}
      {job.status === "done" ? <div className={stale ? `${styles.body} ${tables.stale}` : styles.body}><IntervalTable ci={job.result} /></div> : null}
    </Section>
  );
}
