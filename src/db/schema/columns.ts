import { numeric, timestamp } from "drizzle-orm/pg-core";

/** Every instant is stored with its timezone: staff and customers are not all on one clock. */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true });

/** Money: exact decimal in SQL, a decimal string in TypeScript and JSON, never a float. */
export const money = (name: string) => numeric(name, { precision: 14, scale: 2 });
