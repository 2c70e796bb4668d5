-- Rental registrations (出租登记): the form's answers are the service request's
-- (the tenant's document number sealed in them, see app/forms/rental.ts); this
-- table holds what happens afterwards. A registration without a row here has
-- been submitted and nothing else yet.
CREATE TABLE rental_registrations (
  request_id text PRIMARY KEY REFERENCES service_requests(id),
  review text NOT NULL DEFAULT 'submitted'
    CHECK (review IN ('submitted', 'verified', 'needs-correction')),
  -- Sent to the landlord with a correction, with the keys of the fields to correct.
  review_reason text,
  review_fields jsonb,
  reviewed_by text REFERENCES officers(id),
  reviewed_at timestamptz,
  -- The safety-inspection visit, when one is planned.
  inspection_at timestamptz,
  inspection_by text REFERENCES officers(id),
  -- Whether the tenant stays past the lease end named in tenancy_for (a day as
  -- YYYY-MM-DD, like the form's dates): the landlord's answer, an officer's
  -- record, or 'lapsed' when the lease ended unanswered.
  tenancy text CHECK (tenancy IN ('stays', 'moved-out', 'lapsed')),
  tenancy_for text CHECK (tenancy_for ~ '^\d{4}-\d{2}-\d{2}$'),
  tenancy_at timestamptz,
  -- 'landlord', 'system' or an officer id.
  tenancy_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Retention: registrations that still hold a sealed document number, by when
-- they ended, so the daily purge reads only what it may clear.
CREATE INDEX service_requests_rental_sealed ON service_requests (ended_at)
  WHERE kind = 'rental-registration' AND (answers -> 'tenantId' ->> 'sealed') IS NOT NULL;
