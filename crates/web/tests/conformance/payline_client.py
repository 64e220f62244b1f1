#!/usr/bin/env python3
"""A Payline client built from the OFFICIAL WSDLs (../shared/conformance/payline-wsdl), the way
merchants' SOAP stacks are: it calls cvgate and prints what it read as JSON.

usage: payline_client.py WSDL_DIR BASE_URL MERCHANT_ID ACCESS_KEY OPERATION [ARGS...]
  doWebPayment AMOUNT CONTRACT SELECTED(comma-separated) EMAIL
  getWebPaymentDetails TOKEN
  getTransactionDetails TRANSACTION_ID
  transactionsSearch START_DATE END_DATE ORDER_REF
"""
import json
import sys

import requests
import zeep
from zeep.helpers import serialize_object
from zeep.transports import Transport


def service(wsdl_dir, base, merchant, key, api):
    session = requests.Session()
    session.auth = (merchant, key)
    client = zeep.Client(f"{wsdl_dir}/{api}.wsdl", transport=Transport(session=session))
    binding = "{http://impl.ws.payline.experian.com}%sSoapBinding" % api
    return client.create_service(binding, f"{base}/V4/services/{api}")


def main():
    wsdl_dir, base, merchant, key, operation, *args = sys.argv[1:]
    web = service(wsdl_dir, base, merchant, key, "WebPaymentAPI")
    if operation == "doWebPayment":
        amount, contract, selected, email = args
        answer = web.doWebPayment(
            version="34",
            payment={"amount": amount, "currency": "978", "action": "101", "mode": "CPT", "contractNumber": contract},
            returnURL="https://shop.example/return",
            cancelURL="https://shop.example/cancel",
            order={"ref": "zeep-order", "amount": amount, "currency": "978", "date": "27/11/2026 11:00"},
            selectedContractList={"selectedContract": selected.split(",")},
            buyer={"email": email, "firstName": "Camille", "lastName": "Martin"},
            languageCode="fr",
        )
    elif operation == "getWebPaymentDetails":
        (token,) = args
        answer = web.getWebPaymentDetails(version="34", token=token)
    elif operation == "getTransactionDetails":
        (transaction_id,) = args
        extended = service(wsdl_dir, base, merchant, key, "ExtendedAPI")
        answer = extended.getTransactionDetails(version="34", transactionId=transaction_id, transactionHistory="Y")
    elif operation == "transactionsSearch":
        start, end, order_ref = args
        extended = service(wsdl_dir, base, merchant, key, "ExtendedAPI")
        answer = extended.transactionsSearch(version="34", startDate=start, endDate=end, orderRef=order_ref)
    else:
        raise SystemExit(f"unknown operation {operation}")
    # serialize_object walks every field zeep parsed against the official schema.
    print(json.dumps(serialize_object(answer, dict), default=str))


if __name__ == "__main__":
    main()
