-- The JSON API names a point of sale by its reference (Monext's pointOfSaleReference), unique per
-- merchant. Existing points of sale get `POS-<id>`; the homologation demo shop gets DEMO-SHOP.
ALTER TABLE points_of_sale ADD COLUMN reference TEXT;
UPDATE points_of_sale SET reference = 'POS-' || CAST(id AS TEXT);
UPDATE points_of_sale SET reference = 'DEMO-SHOP'
    WHERE merchant_id IN (SELECT merchant_id FROM demo_fixtures WHERE name = 'homologation_demo_merchant');
CREATE UNIQUE INDEX points_of_sale_reference ON points_of_sale (merchant_id, reference);
