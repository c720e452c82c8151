/**
 * What the pane shows before it knows where it runs: "Connecting to Excel..." while Office has
 * not answered (with a hint if that lasts), or why it cannot go on.
 */
import { useEffect, useState } from "react";
import { MessageBar, MessageBarBody, MessageBarTitle, Spinner } from "@fluentui/react-components";

/** After this long without an answer, the pane says what may be wrong (and keeps waiting). */
export const SLOW_CONNECT_MS = 10_000;

export function Connecting() {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => setSlow(true), SLOW_CONNECT_MS);
    return () => clearTimeout(t);
  }, []);
  return (
    <div style={{ padding: 20 }} role="status" aria-live="polite">
      <Spinner label="Connecting to Excel…" />
      {slow ? (
        <p style={{ marginTop: 16 }}>
          Excel has not answered yet. The pane keeps waiting and opens your workbook when it does; if it stays like this,
          close the pane and open it again from the Home tab.
        </p>
      ) : null}
    </div>
  );
}

export function NotConnected({ title = "Excel did not answer", reason }: { title?: string; reason: string }) {
  return (
    <div style={{ padding: 20 }}>
      <MessageBar intent="error">
        <MessageBarBody>
          <MessageBarTitle>{title}</MessageBarTitle>
          {reason}. Close the pane and open it again from the Home tab.
        </MessageBarBody>
      </MessageBar>
    </div>
  );
}

export function Opening({ label }: { label: string }) {
  return <Spinner label={label} style={{ marginTop: 40 }} />;
}
