/**
 * Random effects in plain words. statsmodels' style: a groups column, a random intercept per
 * group (on by default, and kept when variance components are added: re_formula is then written
 * out), random slopes, variance components. lme4's style: terms such as (1 | Pig) in the formula,
 * listed here with a Remove button. A model takes one style or the other; a clash is shown as
 * the user types, with both ways out.
 */
import { useState } from "react";
import { Button, Dropdown, Field, Input, makeStyles, MessageBar, MessageBarActions, MessageBarBody, Option, OptionGroup, Switch, Text, tokens } from "@fluentui/react-components";
import type { FormulaView } from "../formulaModel";
import type { DataInfo } from "../model";
import { groupsProposals } from "../model";
import type { Conflict, ModelAction, ModelState } from "../modelState";

const useStyles = makeStyles({
  row: { display: "flex", gap: "6px", alignItems: "center", flexWrap: "wrap" },
  small: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: "anywhere" },
  grow: { flexGrow: 1, minWidth: "0", width: "100%" },
  group: { display: "flex", flexDirection: "column", gap: "6px", minWidth: 0 },
});

interface Props {
  state: ModelState;
  view: FormulaView;
  data: DataInfo | null;
  conflict: Conflict | null;
  dispatch: (a: ModelAction) => void;
}

function GroupsField({ state, view, data, dispatch }: Props) {
  const proposals = data ? groupsProposals(data, view.response?.column ? [view.response.column] : []) : [];
  const likely = proposals.filter((p) => p.likely);
  const others = proposals.filter((p) => !p.likely);
  const describe = (p: (typeof proposals)[number]) => (p.groups >= 2 && p.perGroup >= 2 ? `${p.groups} groups of about ${Math.round(p.perGroup)} rows` : "few repeated values");
  return (
    <Field label="Groups" hint={state.groups ? undefined : "One random effect per group (statsmodels' groups), or none when the formula has lme4 terms."}>
      <Dropdown placeholder="Grouping column" disabled={!data} value={state.groups} selectedOptions={[state.groups]} onOptionSelect={(_, d) => dispatch({ type: "groups", column: d.optionValue ?? "" })}>
        <Option value="" text="(none: lme4 terms in the formula)">(none: lme4 terms in the formula)</Option>
        <OptionGroup label="Columns with repeated values">
          {likely.map((p) => (
            <Option key={p.column} value={p.column} text={p.column}>
              {`${p.column} (${describe(p)})`}
            </Option>
          ))}
        </OptionGroup>
        {others.length > 0 ? (
          <OptionGroup label="Other columns">
            {others.map((p) => (
              <Option key={p.column} value={p.column} text={p.column}>
                {`${p.column} (${describe(p)})`}
              </Option>
            ))}
          </OptionGroup>
        ) : null}
      </Dropdown>
    </Field>
  );
}

function WithinGroups({ state, data, dispatch }: Props) {
  const styles = useStyles();
  const [vcName, setVcName] = useState("");
  const [vcColumn, setVcColumn] = useState("");
  const off = !data || !state.groups;
  const numeric = data ? data.columns.filter((c) => c.kind === "numeric" && c.name !== state.groups).map((c) => c.name) : [];
  const others = data ? data.columns.map((c) => c.name).filter((c) => c !== state.groups) : [];
  return (
    <div className={styles.group}>
      <Switch label="Random intercept per group" checked={state.intercept} disabled={off} onChange={(_, d) => dispatch({ type: "intercept", on: d.checked })} />
      <Field label="Random slopes per group">
        <Dropdown multiselect placeholder="None" disabled={off} value={state.slopes.join(", ")} selectedOptions={state.slopes} onOptionSelect={(_, d) => dispatch({ type: "slopes", columns: d.selectedOptions })}>
          {numeric.map((c) => (
            <Option key={c} value={c}>
              {c}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <div role="group" aria-labelledby="vc-label" className={styles.group}>
        <Text id="vc-label" weight="semibold" size={300}>
          Variance components within groups
        </Text>
        <div className={styles.row}>
          <Input aria-label="Variance component name" placeholder="name" value={vcName} onChange={(_, d) => setVcName(d.value)} disabled={off} style={{ width: "88px" }} />
          <Dropdown aria-label="Variance component column" placeholder="column" value={vcColumn} selectedOptions={vcColumn ? [vcColumn] : []} onOptionSelect={(_, d) => setVcColumn(d.optionValue ?? "")} disabled={off} style={{ minWidth: "100px" }}>
            {others.map((c) => (
              <Option key={c} value={c}>
                {c}
              </Option>
            ))}
          </Dropdown>
          <Button size="small" disabled={off || !vcColumn} onClick={() => { dispatch({ type: "addVc", name: vcName, column: vcColumn }); setVcName(""); setVcColumn(""); }}>
            Add
          </Button>
        </div>
        {state.vcs.map((v) => (
          <div key={v.name} className={styles.row}>
            <Text className={styles.mono}>{v.name}: 0 + C({v.column})</Text>
            <Button size="small" appearance="subtle" aria-label={`Remove variance component ${v.name}`} onClick={() => dispatch({ type: "removeVc", name: v.name })}>
              Remove
            </Button>
          </div>
        ))}
      </div>
    </div>
  );
}

function Lme4Terms({ view, data, dispatch }: Props) {
  const styles = useStyles();
  const [term, setTerm] = useState("");
  const usable = data !== null && view.status === "ok";
  return (
    <div role="group" aria-labelledby="bars-label" className={styles.group}>
      <Text id="bars-label" weight="semibold" size={300}>
        lme4 terms in the formula (crossed or nested)
      </Text>
      {view.bars.map((b) => (
        <div key={`${b.summand}:${b.text}`} className={styles.row}>
          <Text className={styles.mono}>{b.text}</Text>
          <Button size="small" appearance="subtle" aria-label={`Remove ${b.text} from the formula`} onClick={() => dispatch({ type: "removeTerm", summand: b.summand })}>
            Remove
          </Button>
        </div>
      ))}
      <div className={styles.row}>
        <Input aria-label="lme4 term to add" placeholder="(1 | Pig) or (1 | batch/cask)" value={term} onChange={(_, d) => setTerm(d.value)} disabled={!usable} style={{ flexGrow: 1, minWidth: "0" }} />
        <Button size="small" disabled={!usable || term.trim() === ""} onClick={() => { dispatch({ type: "addBar", text: term }); setTerm(""); }}>
          Add
        </Button>
      </div>
    </div>
  );
}

function ConflictBar({ conflict, dispatch }: Props) {
  if (!conflict) return null;
  return (
    <MessageBar intent="warning" layout="multiline">
      <MessageBarBody>{conflict.message}</MessageBarBody>
      <MessageBarActions>
        <Button size="small" onClick={() => dispatch({ type: "groups", column: "" })}>
          No groups column
        </Button>
        {conflict.bars.length === 1 ? (
          <Button size="small" onClick={() => dispatch({ type: "removeTerm", summand: conflict.bars[0].summand })}>
            {`Remove ${conflict.bars[0].text}`}
          </Button>
        ) : null}
      </MessageBarActions>
    </MessageBar>
  );
}

export function RandomEffectsControls(props: Props) {
  const styles = useStyles();
  return (
    <div role="group" aria-labelledby="re-label" className={styles.group}>
      <Text id="re-label" weight="semibold" size={400}>
        Random effects
      </Text>
      <ConflictBar {...props} />
      <GroupsField {...props} />
      <WithinGroups {...props} />
      <Lme4Terms {...props} />
    </div>
  );
}
