/**
 * Sending one mail over SMTP with nodemailer (issue 7), configured by RAPPORT_SMTP_URL
 * (smtp://user:pass@host:587, smtps://host:465; nodemailer's URL options such as ?ignoreTLS=true
 * apply). Timeouts are bounded well inside the delivery lease, so a mail is settled by the
 * instance that sent it before any other could claim it again.
 */
import nodemailer from 'nodemailer';

export type OutgoingMail = {
  id: string;
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  html?: string;
  text?: string;
  unsubscribeUrl?: string;
};

export type SendResult = { messageId: string; response: string };
export type Transport = { send(mail: OutgoingMail): Promise<SendResult>; close(): void };

/** The bounds of one send; the delivery lease must be longer than their sum. */
export const SMTP_TIMEOUTS = { connectionTimeout: 20_000, greetingTimeout: 15_000, socketTimeout: 45_000 };

const domainOf = (address: string): string => /@([^>\s]+)>?\s*$/.exec(address)?.[1] ?? 'rapport.invalid';

export function smtpTransport(url: string): Transport {
  const transporter = nodemailer.createTransport({ url, ...SMTP_TIMEOUTS } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(mail) {
      // The same Message-ID on every attempt: a receiver that got a mail twice (an instance died
      // after the server accepted it, before recording it) can tell it is one message.
      const messageId = `<${mail.id}@${domainOf(mail.from)}>`;
      const info = await transporter.sendMail({
        from: mail.from,
        to: mail.to,
        ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
        subject: mail.subject,
        ...(mail.html !== undefined ? { html: mail.html } : {}),
        ...(mail.text !== undefined ? { text: mail.text } : {}),
        messageId,
        ...(mail.unsubscribeUrl ? { list: { unsubscribe: { url: mail.unsubscribeUrl, comment: 'Unsubscribe' } }, headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } } : {}),
      });
      return { messageId: info.messageId ?? messageId, response: String(info.response ?? '') };
    },
    close: () => transporter.close(),
  };
}

/**
 * Whether sending again cannot help: the server refused the message for good (5xx), or the
 * message itself is wrong (no valid recipient). Network errors and 4xx replies are temporary.
 */
export function isPermanent(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string };
  if (typeof e.responseCode === 'number') return e.responseCode >= 500 && e.responseCode < 600;
  return e.code === 'EENVELOPE' || e.code === 'EMESSAGE';
}
