/** A message under a control: what happened, or what to fix. */
import { MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";

export type Notice = { intent: "success" | "error" | "warning" | "info"; title?: string; text: string } | null;

export function NoticeBar({ notice }: { notice: Notice }) {
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
