import { backends } from "@gmeta/tensor";
import { glooAddon } from "../native/binding.js";

/** Whether the NCCL process group can run here, and every reason it cannot. */
export interface NcclAvailability {
  available: boolean;
  /** The NCCL library that loaded ("" when none) and its version, e.g. "2.27.3". */
  path: string;
  version: string;
  /** Empty when available; otherwise each missing piece, joined by "; ". */
  reason: string;
  /** Whether the NCCL library itself loaded (a GPU is needed as well to use it). */
  loaded: boolean;
}

function versionString(code: number): string {
  if (!code) return "";
  // NCCL >= 2.9 encodes major*10000 + minor*100 + patch; older ones major*1000 + minor*100 + patch.
  if (code >= 20900) return `${Math.floor(code / 10000)}.${Math.floor((code % 10000) / 100)}.${code % 100}`;
  return `${Math.floor(code / 1000)}.${Math.floor((code % 1000) / 100)}.${code % 100}`;
}

/**
 * What `initProcessGroup({ backend: "nccl" })` needs: the NCCL library (GMETA_NCCL_PATH, else
 * libnccl.so.2) and a CUDA device in @gmeta/tensor.
 * @example ncclAvailability().reason // "no CUDA GPU (...); NCCL not found: tried libnccl.so.2; ..."
 */
export function ncclAvailability(): NcclAvailability {
  const s = glooAddon().ncclStatus();
  const cuda = backends().cuda;
  const missing: string[] = [];
  if (!cuda.available) missing.push(`no CUDA GPU (${cuda.reason})`);
  if (!s.loaded) missing.push(s.reason.split("\n")[0]!);
  return {
    available: missing.length === 0,
    loaded: s.loaded,
    path: s.path,
    version: versionString(s.version),
    reason: missing.join("; "),
  };
}
