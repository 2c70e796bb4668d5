import type {
  AttendanceOutcome,
  PermitAppointmentView,
  PermitDayView,
} from '../../../app/forms/permit-office.ts'
import { request } from './api.ts'

/** The residence-permit calls of the inbox API (docs/inbox-api.md, Residence-permit appointments). */
export const permitApi = {
  day: (date?: string) =>
    request<PermitDayView>(
      'GET',
      `/api/permit-appointments${date ? `?date=${encodeURIComponent(date)}` : ''}`,
    ),
  ofCase: (caseId: string) =>
    request<{ appointment: PermitAppointmentView }>('GET', `/api/cases/${encodeURIComponent(caseId)}/permit`),
  mark: (caseId: string, outcome: AttendanceOutcome) =>
    request<{ appointment: PermitAppointmentView }>(
      'POST',
      `/api/cases/${encodeURIComponent(caseId)}/permit/attendance`,
      { outcome },
    ),
}
