/** Seller reasons Ozon documents for FBS cancels; 402 needs a comment. */
export const CANCEL_REASONS = [352, 400, 402] as const;
export const OTHER_REASON = 402;
