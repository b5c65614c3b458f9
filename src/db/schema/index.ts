export * from "./accounts.js";
export * from "./audit.js";
export * from "./calling.js";
export * from "./crm.js";
export * from "./otp.js";
export * from "./mail.js";
export * from "./allocation.js";
