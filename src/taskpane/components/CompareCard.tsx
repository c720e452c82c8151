/**
 * "Compare with a simpler model": pick what to drop (the choices are read from the fitted model:
 * simplerModels.ts) or type a reduced formula, and see lme4's likelihood-ratio test. Both models
 * are refitted by ML by default, as lme4's anova does, and the card says so; REML fits can be
 * compared as they are when only the random effects differ. Compact for a 320 px pane: the models
 * as m1, m2 named under the table, BIC, log-likelihood and deviance on demand.
 */
import { useId, useMemo, useState } from "react";
import { Button, Field, Input, makeStyles, Select, Spinner, Switch, Text, tokens } from "@fluentui/react-components";
import type { Comparison, ModelSpec } from "../../engine";
import { num, pValue } from "../display";
import type { Job } from "../inferenceState";
import { SimplerModel, simplerModels } from "../simplerModels";
import { NoticeBar } from "./NoticeBar";
import { Section } from "./Section";
import { useTableStyles } from "./tables.styles";

const useStyles = makeStyles({
  body: { display: "flex", flexDirection: "column", gap: "8px", minWidth: 0 },
  row: { display: "flex", gap: "8px", alignItems: "center", flexWrap: "wrap" },
  small: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: "anywhere" },
  list: { margin: 0, paddingLeft: "0", listStyleType: "none", display: "flex", flexDirection: "column", gap: "2px" },
  select: { minWidth: 0, maxWidth: "100%" },
});

const TYPED = "typed";

function ComparisonTable({ c }: { c: Comparison }) {
  const s = useTableStyles();
  const styles = useStyles();
  const [details, setDetails] = useState(false);
  const id = useId();
  const noBottom = details ? { borderBottomStyle: "none" as const } : undefined;
  return (
    <div>
      <table className={s.table} aria-labelledby={`${id}-caption`}>
        <caption id={`${id}-caption`} className={s.caption}>Likelihood-ratio test</caption>
        <colgroup>
          <col />
          <col style={{ width: "3em" }} />
          <col style={{ width: "4.7em" }} />
          <col style={{ width: "4.4em" }} />
          <col style={{ width: "2.2em" }} />
          <col style={{ width: "3.9em" }} />
        </colgroup>
        <thead>
          <tr>
            <th scope="col" className={s.th}>Model</th>
            <th scope="col" className={`${s.th} ${s.thNum}`}><abbr title="Number of parameters">npar</abbr></th>
            <th scope="col" className={`${s.th} ${s.thNum}`}>AIC</th>
            <th scope="col" className={`${s.th} ${s.thNum}`}>χ²</th>
            <th scope="col" className={`${s.th} ${s.thNum}`}>df</th>
            <th scope="col" className={`${s.th} ${s.thNum}`}>p</th>
          </tr>
        </thead>
        <tbody>
          {c.rows.flatMap((r, i) => [
            <tr key={`m${i}`}>
              <th scope="row" className={s.td} style={{ fontWeight: "normal", textAlign: "left", ...noBottom }}>{`m${i + 1}`}</th>
              <td className={`${s.td} ${s.num}`} style={noBottom}>{r.npar}</td>
              <td className={`${s.td} ${s.num}`} style={noBottom}>{num(r.aic, 1)}</td>
              <td className={`${s.td} ${s.num}`} style={noBottom}>{num(r.chisq, 2)}</td>
              <td className={`${s.td} ${s.num}`} style={noBottom}>{r.df ?? ""}</td>
              <td className={`${s.td} ${s.num}`} style={noBottom}>{pValue(r.p)}</td>
            </tr>,
            ...(details
              ? [
                  <tr key={`m${i}-detail`}>
                    <td colSpan={6} className={s.detail}>BIC {num(r.bic, 1)} · logLik {num(r.logLik, 1)} · deviance {num(r.deviance, 1)}</td>
                  </tr>,
                ]
              : []),
          ])}
        </tbody>
      </table>
      <ul className={styles.list} aria-label="Models compared">
        {c.rows.map((r, i) => (
          <li key={i} className={styles.mono}>{`m${i + 1}: ${r.model}`}{r.message ? ` (${r.message})` : ""}</li>
        ))}
      </ul>
      <Switch label="Show BIC, log-likelihood and deviance" checked={details} onChange={(_, d) => setDetails(d.checked)} />
      {c.notes.map((n) => <Text key={n} as="p" size={200} className={styles.small}>{n}</Text>)}
    </div>
  );
}

export interface CompareCardProps {
  /** The fitted model and the data's columns (to read its formula). */
  spec: ModelSpec;
  columns: string[];
  job: Job<Comparison>;
  /** Why comparing waits (results out of date), or null. */
  locked: string | null;
  stale: boolean;
  onCompare: (reduced: string | ModelSpec, refit: boolean) => void;
}

export function CompareCard({ spec, columns, job, locked, stale, onCompare }: CompareCardProps) {
  const styles = useStyles();
  const tables = useTableStyles();
  const choices = useMemo(() => simplerModels(spec, columns), [spec, columns]);
  const [pick, setPick] = useState(choices.length > 0 ? "0" : TYPED);
  const [typed, setTyped] = useState("");
  const [refit, setRefit] = useState(true);
  const chosen: SimplerModel | null = pick === TYPED ? null : choices[Number(pick)] ?? null;
  const running = job.status === "running";
  const missing = pick === TYPED && typed.trim() === "" ? "Type the simpler model's formula first." : null;
  const go = () => { if (!locked && !running && !missing) onCompare(chosen ? chosen.spec : typed.trim(), refit); };
  return (
    <Section title="Compare with a simpler model" label="Compare">
      <Field label="Simpler model" hint={chosen ? undefined : "A formula with lme4 terms is a model of its own; without them it takes the fitted model's groups and random effects."}>
        <Select className={styles.select} value={pick} onChange={(_, d) => setPick(d.value)}>
          {choices.map((c, i) => <option key={i} value={String(i)}>{c.label}</option>)}
          <option value={TYPED}>Type a formula…</option>
        </Select>
      </Field>
      {chosen ? <Text className={styles.mono}>{chosen.text}</Text> : <Field label="Simpler formula"><Input value={typed} onChange={(_, d) => setTyped(d.value)} placeholder="Weight ~ Time + (1 | Pig)" spellCheck={false} /></Field>}
      <Switch label="Refit both models by ML (as lme4's anova)" checked={refit} onChange={(_, d) => setRefit(d.checked)} />
      {!refit ? <Text size={200} className={styles.small}>REML fits compare only when the fixed effects are the same.</Text> : null}
      {chosen?.boundary ? <Text size={200} className={styles.small}>This tests a variance against zero, the edge of its range: the χ² p-value is conservative (too large).</Text> : null}
      <div className={styles.row}>
        <Button onClick={go} disabledFocusable={locked !== null || running || missing !== null} aria-describedby={locked || missing ? "compare-why" : undefined}>Compare</Button>
        {running ? <Spinner size="tiny" label="Fitting the models…" /> : null}
        {!running && (locked || missing) ? <Text id="compare-why" size={200} className={styles.small}>{locked ?? missing}</Text> : null}
      </div>
      {job.status === "failed" ? <NoticeBar notice={{ intent: "error", title: "No comparison", text: job.error }} /> : null}
      {job.status === "done" ? <div className={stale ? `${styles.body} ${tables.stale}` : styles.body}><ComparisonTable c={job.result} /></div> : null}
    </Section>
  );
}
