/**
 * The server's public front-end settings (`GET /api/v1/config`), fetched once. Absent or unreachable
 * config is not an error: the app works without it, just without the emulator link.
 */
import { useEffect, useState } from "react";
import { fetchAppConfig } from "./api/endpoints.ts";
import type { AppConfig } from "./api/types.ts";

let pending: Promise<AppConfig | null> | null = null;
let loaded: AppConfig | null = null;

function loadAppConfig(): Promise<AppConfig | null> {
  pending ??= fetchAppConfig()
    .then((config) => {
      loaded = config;
      return config;
    })
    .catch(() => {
      pending = null; // a network blip: ask again next time
      return null;
    });
  return pending;
}

export function useAppConfig(): AppConfig | null {
  const [config, setConfig] = useState(loaded);
  useEffect(() => {
    let live = true;
    void loadAppConfig().then((value) => {
      if (live) setConfig(value);
    });
    return () => {
      live = false;
    };
  }, []);
  return config;
}
