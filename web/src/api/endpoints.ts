/**
 * One function per API route this front end calls. Responses are unwrapped and lightly normalised
 * here so pages only see the types in ./types.ts.
 */
import { API_BASE, ApiError, apiRequest } from "./client.ts";
import type {
  AppConfig,
  AuthResult,
  Booking,
  BookingStatus,
  Page,
  PaymentAttempt,
  PaymentStatus,
  PaymentsReport,
  StkPushAccepted,
  Transaction,
  User,
  UserRole,
} from "./types.ts";

export interface Data<T> {
  success: true;
  data: T;
}

export interface Registration {
  name: string;
  email: string;
  password: string;
  phoneNumber?: string;
  role: Exclude<UserRole, "admin">;
}

export async function register(input: Registration): Promise<AuthResult> {
  return (await apiRequest<Data<AuthResult>>("/auth/register", { method: "POST", body: input, auth: false }))
    .data;
}

export async function login(email: string, password: string): Promise<AuthResult> {
  return (
    await apiRequest<Data<AuthResult>>("/auth/login", {
      method: "POST",
      body: { email, password },
      auth: false,
    })
  ).data;
}

export async function fetchMe(): Promise<User> {
  return (await apiRequest<Data<{ user: User }>>("/auth/me")).data.user;
}

export interface NewBooking {
  service: string;
  description?: string;
  location?: string;
  scheduledFor?: string;
}

/** Lists omit `payments`; one booking read carries them, newest first. */
export type RawBooking = Omit<Booking, "payments"> & { payments?: PaymentAttempt[] };

export function toBooking(raw: RawBooking): Booking {
  return { ...raw, payments: raw.payments ?? [] };
}

export async function createBooking(input: NewBooking): Promise<Booking> {
  const body = await apiRequest<Data<{ booking: RawBooking }>>("/bookings", { method: "POST", body: input });
  return toBooking(body.data.booking);
}

export async function fetchBooking(id: string, signal?: AbortSignal): Promise<Booking> {
  const body = await apiRequest<Data<{ booking: RawBooking }>>(`/bookings/${encodeURIComponent(id)}`, {
    signal,
  });
  return toBooking(body.data.booking);
}

export interface Listing {
  success: true;
  count: number;
  total: number;
  page: number;
  pages: number;
}

export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export async function listBookings(
  page: number,
  limit: number,
  status?: BookingStatus,
): Promise<Page<Booking>> {
  const body = await apiRequest<Listing & { bookings: RawBooking[] }>(
    `/bookings${query({ page, limit, status })}`,
  );
  return { ...body, items: body.bookings.map(toBooking) };
}

export interface StkPushRequest {
  phoneNumber: string;
  bookingId: string;
  amount: number;
  type: "booking_fee";
}

export async function sendStkPush(
  request: StkPushRequest,
  idempotencyKey: string,
  signal?: AbortSignal,
): Promise<StkPushAccepted> {
  const body = await apiRequest<{ success: true; data: StkPushAccepted }>("/payments/mpesa/stkpush", {
    method: "POST",
    body: request,
    headers: { "Idempotency-Key": idempotencyKey },
    signal,
  });
  return body.data;
}

export async function fetchTransaction(id: string, signal?: AbortSignal): Promise<Transaction> {
  const path = `/payments/mpesa/status/${encodeURIComponent(id)}`;
  return (await apiRequest<{ success: true; transaction: Transaction }>(path, { signal })).transaction;
}

/** EventSource cannot send headers, so the stream takes the token as `access_token`. */
export function transactionEventsUrl(id: string, token: string): string {
  return `${API_BASE}/payments/mpesa/status/${encodeURIComponent(id)}/events${query({ access_token: token })}`;
}

export async function fetchPaymentHistory(
  page: number,
  limit: number,
  status: PaymentStatus | undefined,
): Promise<Page<Transaction>> {
  const body = await apiRequest<Listing & { transactions: Transaction[] }>(
    `/payments/mpesa/history${query({ page, limit, status })}`,
  );
  return { ...body, items: body.transactions };
}

export async function fetchPaymentsReport(from?: string, to?: string): Promise<PaymentsReport> {
  const path = `/admin/reports/payments${query({ from, to })}`;
  return (await apiRequest<Data<{ report: PaymentsReport }>>(path)).data.report;
}

/** The public front-end config; null when this server does not offer it. */
export async function fetchAppConfig(): Promise<AppConfig | null> {
  try {
    return (await apiRequest<Data<AppConfig>>("/config", { auth: false })).data;
  } catch (error) {
    if (error instanceof ApiError) return null;
    throw error;
  }
}
