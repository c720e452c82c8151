/**
 * The results of one fit, labelled with the model they belong to. When the formula, the method,
 * the random effects or the data have changed since, it says so ("Results out of date: Fit
 * again") and marks the numbers with a bar at their side (dimming them would fail contrast). Each table is its own component; the fixed effects' part (the
 * coefficients with their tests, the ANOVA table) comes from the caller, which runs those tests.
 */
import type { ReactNode } from "react";
import { Badge, makeStyles, MessageBar, MessageBarBody, MessageBarTitle, Text, tokens } from "@fluentui/react-components";
import type { FitView } from "../fitService";
import { cellText } from "../display";
import { RandomEffectsTable } from "./RandomEffectsTable";
import { Section } from "./Section";
import { useTableStyles } from "./tables.styles";

const useStyles = makeStyles({
  row: { display: "flex", gap: "6px", alignItems: "center", flexWrap: "wrap" },
  small: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
  body: { display: "flex", flexDirection: "column", gap: "10px", minWidth: 0 },
});

export interface ResultsOrigin {
  formula: string;
  method: string;
  /** The data's address. */
  data: string;
  /** The random effects when not in the formula: "groups Pig, re_formula ~Time". */
  random: string;
}

function FitStatistics({ stats }: { stats: FitView["stats"] }) {
  const s = useTableStyles();
  return (
    <details>
      <summary>Fit statistics</summary>
      <table className={s.table} aria-label="Fit statistics">
        <colgroup>
          <col />
          <col style={{ width: "7em" }} />
        </colgroup>
        <tbody>
          {stats.slice(1).map((r) => (
            <tr key={String(r[0])}>
              <th scope="row" className={s.td} style={{ fontWeight: "normal", textAlign: "left" }}>{String(r[0])}</th>
              <td className={`${s.td} ${s.num}`}>{cellText(r[1])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

export function ResultsCard({ view, origin, staleBecause, fixedEffects }: { view: FitView; origin: ResultsOrigin; staleBecause: string[]; fixedEffects: ReactNode }) {
  const styles = useStyles();
  const tables = useTableStyles();
  const stale = staleBecause.length > 0;
  return (
    <Section title="Results" label="Results">
      {stale ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Results out of date: Fit again</MessageBarTitle>
            These belong to the model before: {staleBecause.join(", ")} changed since.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={stale ? `${styles.body} ${tables.stale}` : styles.body}>
        <div className={styles.row}>
          <Badge appearance="tint" color={view.converged ? "success" : "warning"}>{view.converged ? "Converged" : "Not converged"}</Badge>
          {view.singular ? <Badge appearance="tint" color="warning">Singular fit</Badge> : null}
        </div>
        <Text size={200} className={styles.small}>
          {origin.formula.length > 120 ? `${origin.formula.slice(0, 117)}…` : origin.formula}{origin.random ? ` · ${origin.random}` : ""} · {origin.method} · {view.nObs.toLocaleString("en-US")} observations{view.nDropped > 0 ? ` (${view.nDropped.toLocaleString("en-US")} rows dropped)` : ""} from {origin.data} · {view.fitMs} ms
        </Text>
        {view.warnings.map((w, i) => (
          <MessageBar key={i} intent="warning" layout="multiline">
            <MessageBarBody>{w}</MessageBarBody>
          </MessageBar>
        ))}
        {fixedEffects}
        <RandomEffectsTable re={view.randomEffects} />
        <FitStatistics stats={view.stats} />
      </div>
    </Section>
  );
}
