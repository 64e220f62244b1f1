-- Whether the payment widget may overwrite a session's amount, order and buyer data before any
-- attempt (Payline.Api.updateWebpaymentData). Off unless the merchant turns it on.
ALTER TABLE points_of_sale ADD COLUMN widget_data_updates BIGINT NOT NULL DEFAULT 0;
