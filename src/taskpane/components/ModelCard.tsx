/**
 * The model: the controls (read from the formula, editing it), the method, the formula itself,
 * and Fit. Fit stays focusable while it is unavailable or busy (so that the keyboard's focus is
 * never dropped to the page) and says why it is unavailable.
 */
import { Button, Field, makeStyles, Radio, RadioGroup, Spinner, Text, Textarea, tokens } from "@fluentui/react-components";
import type { Method } from "../../engine";
import type { FormulaView } from "../formulaModel";
import type { DataInfo } from "../model";
import type { Conflict, ModelAction, ModelState } from "../modelState";
import { FixedEffectsControls } from "./FixedEffectsControls";
import { Notice, NoticeBar } from "./NoticeBar";
import { RandomEffectsControls } from "./RandomEffectsControls";
import { Section } from "./Section";

const useStyles = makeStyles({
  row: { display: "flex", gap: "8px", alignItems: "center", flexWrap: "wrap" },
  small: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
  formula: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

export interface ModelCardProps {
  state: ModelState;
  view: FormulaView;
  data: DataInfo | null;
  conflict: Conflict | null;
  blocker: string | null;
  fitting: boolean;
  fitNotice: Notice;
  dispatch: (a: ModelAction) => void;
  onFit: () => void;
}

function formulaMessage(view: FormulaView): string | undefined {
  if (view.status === "invalid") return view.problem?.message;
  if (view.status === "ok") return "The formula reads well.";
  return undefined;
}

export function ModelCard({ state, view, data, conflict, blocker, fitting, fitNotice, dispatch, onFit }: ModelCardProps) {
  const styles = useStyles();
  return (
    <Section title="Model" label="Model">
      <FixedEffectsControls state={state} view={view} data={data} dispatch={dispatch} />
      <RandomEffectsControls state={state} view={view} data={data} conflict={conflict} dispatch={dispatch} />
      <Field label="Estimation method">
        <RadioGroup layout="horizontal" value={state.method} onChange={(_, d) => dispatch({ type: "method", method: d.value as Method })}>
          <Radio value="REML" label="REML" />
          <Radio value="ML" label="ML" />
        </RadioGroup>
      </Field>
      <Field
        label="Formula"
        validationState={view.status === "invalid" ? "error" : view.status === "ok" ? "success" : "none"}
        validationMessage={formulaMessage(view)}
        hint={view.status === "invalid" ? "The controls above wait until the formula reads well." : "The controls above follow the formula; edit it freely (patsy syntax, with lme4 terms)."}
      >
        <Textarea textarea={{ className: styles.formula }} value={state.formula} resize="vertical" rows={2} placeholder="Weight ~ Time" spellCheck={false} onChange={(_, d) => dispatch({ type: "formula", text: d.value })} />
      </Field>
      <div className={styles.row}>
        <Button appearance="primary" onClick={onFit} disabledFocusable={fitting || blocker !== null} aria-describedby={blocker && !fitting ? "fit-blocker" : undefined}>
          Fit
        </Button>
        {fitting ? <Spinner size="tiny" label="Fitting…" /> : null}
        {!fitting && blocker ? (
          <Text id="fit-blocker" size={200} className={styles.small}>
            {blocker}
          </Text>
        ) : null}
      </div>
      <NoticeBar notice={fitNotice} />
    </Section>
  );
}
