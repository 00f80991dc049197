// berth's own version, shown by `berth version` and `berth -v`.
export const BERTH_VERSION = '0.1.0';
