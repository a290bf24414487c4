export const SUFFIX = " (from lib/)";
