/** @odoo-module **/
/*
 * An integer field that shows 0 as empty, for integers where 0 means "not set, use the default"
 * (a server's query port, its poll interval): Odoo stores an empty integer as 0 and the stock
 * widget shows "0". Clearing the input still saves 0. Same code on Odoo 17, 18 and 19.
 */
import { registry } from "@web/core/registry";
import { IntegerField, integerField } from "@web/views/fields/integer/integer_field";

export class ZeroEmptyIntegerField extends IntegerField {
    get formattedValue() {
        return this.value ? super.formattedValue : "";
    }
}

registry.category("fields").add("game_server_zero_empty_integer", {
    ...integerField,
    component: ZeroEmptyIntegerField,
    isEmpty: (record, fieldName) => !record.data[fieldName],
});
