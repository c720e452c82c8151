/**
 * Response and fixed effects, read from the formula and editing it: choosing a response replaces
 * the left of "~"; ticking a column adds its term, unticking removes it (or its factor from a
 * product); the switch crosses the ticked columns. What the controls cannot show stays in the
 * formula and is listed as custom.
 */
import { Checkbox, Dropdown, Field, makeStyles, Option, Switch, Text, tokens } from "@fluentui/react-components";
import type { FormulaView } from "../formulaModel";
import type { DataInfo } from "../model";
import type { ModelAction, ModelState } from "../modelState";

const useStyles = makeStyles({
  checks: { display: "flex", flexWrap: "wrap", columnGap: "4px", rowGap: "0px" },
  small: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
  mono: { fontFamily: tokens.fontFamilyMonospace },
});

export function FixedEffectsControls({ state, view, data, dispatch }: { state: ModelState; view: FormulaView; data: DataInfo | null; dispatch: (a: ModelAction) => void }) {
  const styles = useStyles();
  const usable = data !== null && view.status !== "invalid";
  const numeric = data ? data.columns.filter((c) => c.kind === "numeric").map((c) => c.name) : [];
  const response = view.response;
  const responseText = response ? (response.column ?? `${response.text} (custom)`) : "";
  // the response and the grouping columns (groups, or the grouping of an lme4 term) are not fixed effects
  const grouping = new Set([state.groups, ...view.bars.map((b) => b.grouping)]);
  const fixedColumns = data ? data.columns.map((c) => c.name).filter((c) => c !== response?.column && (!grouping.has(c) || view.fixed.includes(c))) : [];
  const canTick = usable && view.status === "ok";
  const crossedLabel = view.crossed === null && view.fixed.length >= 2 ? "Interactions: as written in the formula" : "Cross them (a * b: all interactions)";
  return (
    <>
      <Field label="Response">
        <Dropdown
          placeholder="Numeric column"
          disabled={!usable}
          value={responseText}
          selectedOptions={response?.column ? [response.column] : []}
          onOptionSelect={(_, d) => d.optionValue && dispatch({ type: "response", column: d.optionValue })}
        >
          {numeric.map((c) => (
            <Option key={c} value={c}>
              {c}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <div role="group" aria-labelledby="fixed-label">
        <Text id="fixed-label" weight="semibold" size={300}>
          Fixed effects
        </Text>
        <div className={styles.checks}>
          {fixedColumns.map((c) => (
            <Checkbox key={c} label={c} disabled={!canTick} checked={view.fixed.includes(c)} onChange={(_, d) => dispatch({ type: "fixed", column: c, on: d.checked === true })} />
          ))}
        </div>
        {!data ? <Text size={200} className={styles.small}>Use a selection to list its columns.</Text> : null}
        {data && view.status === "empty" ? <Text size={200} className={styles.small}>Choose the response first.</Text> : null}
        <Switch label={crossedLabel} checked={view.crossed === true} disabled={!canTick || view.crossed === null} onChange={(_, d) => dispatch({ type: "crossed", on: d.checked })} />
        {view.custom.length > 0 ? (
          <Text as="p" size={200} className={styles.small}>
            Also in the formula (custom): <span className={styles.mono}>{view.custom.join(", ")}</span>
          </Text>
        ) : null}
      </div>
    </>
  );
}
