/**
 * The API routes of a booking's life after payment and of money leaving escrow (accept, complete,
 * cancel, assign; payouts, refunds, approval; the money-out report; the account's M-Pesa number).
 * Kept apart from ./endpoints.ts: only lazily loaded pages call these, so they stay out of the
 * payment path's download.
 */
import { apiRequest } from "./client.ts";
import { type Data, type Listing, query, type RawBooking, toBooking } from "./endpoints.ts";
import type { Booking, MoneyOutReport, MoneyOutStatus, Page, Payout, Refund, User } from "./types.ts";

type OneBooking = Data<{ booking: RawBooking }>;
const bookingPath = (id: string, action: string) => `/bookings/${encodeURIComponent(id)}/${action}`;

export async function acceptBooking(id: string): Promise<Booking> {
  return toBooking(
    (await apiRequest<OneBooking>(bookingPath(id, "accept"), { method: "POST" })).data.booking,
  );
}

export async function completeBooking(id: string): Promise<Booking> {
  const body = await apiRequest<OneBooking>(bookingPath(id, "complete"), { method: "POST" });
  return toBooking(body.data.booking);
}

export async function cancelBooking(id: string, reason: string): Promise<Booking> {
  const body = await apiRequest<OneBooking>(bookingPath(id, "cancel"), { method: "POST", body: { reason } });
  return toBooking(body.data.booking);
}

export async function assignBooking(id: string, technicianId: string): Promise<Booking> {
  const body = await apiRequest<OneBooking>(`/admin/bookings/${encodeURIComponent(id)}/assign`, {
    method: "POST",
    body: { technicianId },
  });
  return toBooking(body.data.booking);
}

export interface MoneyOutQuery {
  page: number;
  limit: number;
  status?: MoneyOutStatus | undefined;
}

export async function listPayouts(q: MoneyOutQuery): Promise<Page<Payout>> {
  const body = await apiRequest<Listing & { payouts: Payout[] }>(`/payouts${query({ ...q })}`);
  return { ...body, items: body.payouts };
}

export async function listRefunds(q: MoneyOutQuery): Promise<Page<Refund>> {
  const body = await apiRequest<Listing & { refunds: Refund[] }>(`/refunds${query({ ...q })}`);
  return { ...body, items: body.refunds };
}

export async function approvePayout(id: string): Promise<Payout> {
  const path = `/admin/payouts/${encodeURIComponent(id)}/approve`;
  return (await apiRequest<Data<{ payout: Payout }>>(path, { method: "POST" })).data.payout;
}

export async function fetchMoneyOutReport(from?: string, to?: string): Promise<MoneyOutReport> {
  const path = `/admin/reports/money-out${query({ from, to })}`;
  return (await apiRequest<Data<{ report: MoneyOutReport }>>(path)).data.report;
}

export async function listTechnicians(page: number, limit: number): Promise<Page<User>> {
  const body = await apiRequest<Listing & { technicians: User[] }>(
    `/admin/technicians${query({ page, limit })}`,
  );
  return { ...body, items: body.technicians };
}

/** Sets the signed-in user's M-Pesa number; answers the updated user. */
export async function setMyPhoneNumber(phoneNumber: string): Promise<User> {
  return (await apiRequest<Data<{ user: User }>>("/auth/me", { method: "PATCH", body: { phoneNumber } })).data
    .user;
}
