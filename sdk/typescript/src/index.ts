/**
 * Verify and parse webhook deliveries from hookd.
 *
 *     const webhook = new Webhook(process.env.HOOKD_WEBHOOK_SECRET!);
 *     const event = webhook.verify(rawBody, req.headers); // the body's bytes, not re-serialized JSON
 */
export * from "./errors.js";
export * from "./event.js";
export * from "./webhook.js";
