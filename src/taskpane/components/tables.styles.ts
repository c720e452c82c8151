/** Styles shared by the pane's number tables: fixed layout that fits the pane, numbers right-aligned in tabular figures. */
import { makeStyles, tokens } from "@fluentui/react-components";

export const useTableStyles = makeStyles({
  table: { width: "100%", tableLayout: "fixed", borderCollapse: "collapse", fontSize: tokens.fontSizeBase200 },
  th: { textAlign: "left", fontWeight: tokens.fontWeightSemibold, padding: "4px 4px", borderBottom: `1px solid ${tokens.colorNeutralStroke1}`, verticalAlign: "bottom" },
  thNum: { textAlign: "right" },
  td: { padding: "3px 4px", borderBottom: `1px solid ${tokens.colorNeutralStroke3}`, overflowWrap: "anywhere", verticalAlign: "top" },
  num: { textAlign: "right", fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" },
  detail: { padding: "0 4px 4px 12px", color: tokens.colorNeutralForeground3, fontVariantNumeric: "tabular-nums", borderBottom: `1px solid ${tokens.colorNeutralStroke3}`, overflowWrap: "anywhere" },
  /** Numbers of a model no longer the one being edited: a bar at their side (dimming them would fail contrast). */
  stale: { borderLeft: `3px solid ${tokens.colorPaletteYellowBorderActive}`, paddingLeft: "8px" },
  caption: { textAlign: "left", fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase300, padding: "4px 0" },
});
